-- Facilities and the data they report: energy use, emissions, base emissions
-- and their revisions, certifications. Constraints and triggers refuse every
-- illegal row, whichever client writes it.

CREATE TABLE tsetp.facility (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme     text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    code          text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,32}$'),
    name          text NOT NULL CHECK (name <> ''),
    operator      text NOT NULL CHECK (operator <> ''),
    category      text NOT NULL,
    use           text,
    floor_area_m2 numeric CHECK (floor_area_m2 > 0),
    UNIQUE (programme, code),
    FOREIGN KEY (programme, category) REFERENCES tsetp.category ON UPDATE CASCADE
);
COMMENT ON TABLE tsetp.facility IS 'Facilities (事業所) of a programme: one building or site, or several sharing an energy supply point';
COMMENT ON COLUMN tsetp.facility.code IS 'Facility number given by the programme (事業所番号); also the source of its excess-reduction credits';
COMMENT ON COLUMN tsetp.facility.operator IS 'Operator (事業者) and holder of the facility''s designated account';
COMMENT ON COLUMN tsetp.facility.category IS 'Target-rate category of the programme (Saitama 1-1, 1-2, 2)';
COMMENT ON COLUMN tsetp.facility.use IS 'Building use for standard intensities (commercial, ...)';

CREATE TABLE tsetp.energy_use (
    facility_id   bigint NOT NULL REFERENCES tsetp.facility ON DELETE CASCADE,
    fy            tsetp.fiscal_year NOT NULL,
    crude_oil_kl  numeric NOT NULL CHECK (crude_oil_kl >= 0),
    full_year     boolean NOT NULL DEFAULT true,
    PRIMARY KEY (facility_id, fy)
);
COMMENT ON TABLE tsetp.energy_use IS 'Crude-oil-equivalent energy use of a facility per fiscal year (原油換算エネルギー使用量)';
COMMENT ON COLUMN tsetp.energy_use.full_year IS 'False for the year the facility started operating part-way: it never counts as the first year of coverage';

CREATE TABLE tsetp.emission (
    facility_id   bigint NOT NULL REFERENCES tsetp.facility ON DELETE CASCADE,
    fy            tsetp.fiscal_year NOT NULL,
    amount        tsetp.tco2 NOT NULL CHECK (amount >= '0'),
    verified_by   text CHECK (verified_by <> ''),
    verified_at   timestamptz,
    PRIMARY KEY (facility_id, fy),
    CHECK (verified_at IS NULL OR verified_by IS NOT NULL)
);
COMMENT ON TABLE tsetp.emission IS 'Energy-origin CO2 of a facility per fiscal year (実績排出量); unverified while verified_by is NULL';
COMMENT ON COLUMN tsetp.emission.verified_by IS 'Verifier (検証機関) that verified the amount; NULL while not yet verified';

CREATE TABLE tsetp.base_emission (
    facility_id    bigint NOT NULL REFERENCES tsetp.facility,
    effective_from tsetp.fiscal_year NOT NULL,
    amount         tsetp.tco2 NOT NULL CHECK (amount > '0'),
    method         text NOT NULL CHECK (method IN ('historical', 'intensity', 'agreed')),
    reason         text,
    recorded_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (facility_id, effective_from)
);
COMMENT ON TABLE tsetp.base_emission IS 'Base emissions (基準排出量) of a facility: the first row sets it, each later row is a revision from its fiscal year';
COMMENT ON COLUMN tsetp.base_emission.method IS 'How the amount was found: historical (average of three years), intensity (floor area × standard intensity), agreed';
COMMENT ON COLUMN tsetp.base_emission.reason IS 'Ground of a revision (tsetp.revision_ground); NULL on the first row';

-- A revision needs an admissible ground and a change of at least the
-- programme's threshold of the base in force; the history only grows.
CREATE FUNCTION tsetp.base_emission_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fac      tsetp.facility;
    prog     tsetp.programme;
    latest   tsetp.base_emission;
    ground   tsetp.revision_ground;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'base emissions cannot be changed or deleted'
            USING ERRCODE = 'TB005',
                  DETAIL = 'Base emissions are a history: the first row sets them, each later row revises them.',
                  HINT = 'Insert a revision with a later effective_from and an admissible reason.';
    END IF;
    -- Locking the facility row serialises concurrent revisions of its base.
    SELECT * INTO STRICT fac FROM tsetp.facility WHERE id = NEW.facility_id FOR NO KEY UPDATE;
    SELECT * INTO STRICT prog FROM tsetp.programme WHERE code = fac.programme;
    SELECT * INTO latest FROM tsetp.base_emission b
     WHERE b.facility_id = NEW.facility_id
     ORDER BY b.effective_from DESC LIMIT 1;
    IF NOT FOUND THEN
        IF NEW.reason IS NOT NULL THEN
            RAISE EXCEPTION 'first base emissions of facility % cannot have a revision reason', fac.code
                USING ERRCODE = 'TB004',
                      DETAIL = pg_catalog.format('Reason "%s" was given, but the facility has no base emissions yet.', NEW.reason),
                      HINT = 'Leave reason NULL on the first row.';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.effective_from OPERATOR(tsetp.<=) latest.effective_from THEN
        RAISE EXCEPTION 'revision of base emissions of facility % must take effect after %', fac.code, latest.effective_from
            USING ERRCODE = 'TB004',
                  DETAIL = pg_catalog.format('The latest base emissions (%s t) took effect in %s; the revision is dated %s.',
                                             latest.amount, latest.effective_from, NEW.effective_from),
                  HINT = 'Revisions apply from the fiscal year of the change onwards.';
    END IF;
    IF NEW.reason IS NULL THEN
        RAISE EXCEPTION 'revision of base emissions of facility % needs a reason', fac.code
            USING ERRCODE = 'TB003',
                  DETAIL = 'Base emissions may be revised only for a change of floor area, use, activity equipment or heat customers'' floor area.',
                  HINT = (SELECT 'Admissible reasons: ' || pg_catalog.string_agg(g.code, ', ' ORDER BY g.code)
                            FROM tsetp.revision_ground g WHERE g.programme = prog.code AND g.admissible);
    END IF;
    SELECT * INTO ground FROM tsetp.revision_ground g WHERE g.programme = prog.code AND g.code = NEW.reason;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown reason "%" for revising base emissions', NEW.reason
            USING ERRCODE = 'TB003',
                  DETAIL = pg_catalog.format('Programme %s has no revision ground "%s".', prog.code, NEW.reason),
                  HINT = (SELECT 'Admissible reasons: ' || pg_catalog.string_agg(g.code, ', ' ORDER BY g.code)
                            FROM tsetp.revision_ground g WHERE g.programme = prog.code AND g.admissible);
    END IF;
    IF NOT ground.admissible THEN
        RAISE EXCEPTION '"%" is not a ground for revising base emissions', NEW.reason
            USING ERRCODE = 'TB002',
                  DETAIL = ground.explanation,
                  HINT = 'Base emissions are revised only for a change of floor area, use, activity equipment or heat customers'' floor area.';
    END IF;
    IF NOT tsetp.revision_required(latest.amount, NEW.amount, prog.revision_threshold) THEN
        RAISE EXCEPTION 'change of base emissions of facility % is below the revision threshold', fac.code
            USING ERRCODE = 'TB001',
                  DETAIL = pg_catalog.format('The change from %s t to %s t is %s t; a revision needs at least %s of the current base, %s t.',
                                             latest.amount, NEW.amount,
                                             tsetp.abs(NEW.amount OPERATOR(tsetp.-) latest.amount),
                                             pg_catalog.trim_scale(prog.revision_threshold * 100) || '%',
                                             latest.amount OPERATOR(tsetp.*) prog.revision_threshold),
                  HINT = 'Smaller changes are absorbed by the facility''s own reduction.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.base_emission_check() IS 'Trigger: enforces the revision rules of base emissions (threshold and admissible grounds) and keeps their history append-only';
CREATE TRIGGER base_emission_check BEFORE INSERT OR UPDATE OR DELETE ON tsetp.base_emission
    FOR EACH ROW EXECUTE FUNCTION tsetp.base_emission_check();
CREATE TRIGGER base_emission_no_truncate BEFORE TRUNCATE ON tsetp.base_emission
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.base_emission_check();

CREATE TABLE tsetp.certification (
    facility_id   bigint NOT NULL REFERENCES tsetp.facility ON DELETE CASCADE,
    fy            tsetp.fiscal_year NOT NULL,
    kind          text NOT NULL REFERENCES tsetp.certification_kind ON UPDATE CASCADE,
    PRIMARY KEY (facility_id, fy, kind)
);
COMMENT ON TABLE tsetp.certification IS 'Yearly certifications of a facility that may bring relief: sme, medical, near_top, top';

CREATE INDEX ON tsetp.facility (programme, category);

-- Who acts for whom: facility operators and account holders are names;
-- these rows say which database roles act for them.
CREATE TABLE tsetp.holder_member (
    holder  text NOT NULL CHECK (holder <> ''),
    member  name NOT NULL,
    PRIMARY KEY (holder, member)
);
COMMENT ON TABLE tsetp.holder_member IS
    'Which database roles act for an account holder or facility operator (a member of the role listed acts too); row-level security shows an operator only its own facilities, accounts and transactions';

-- Whether a role is (a member of) the role a tsetp.holder_member row names.
-- A row naming a role that was dropped since matches nobody: it must not
-- make pg_has_role() fail ("role does not exist") for everyone else. (SQL
-- without a SET clause, so that the planner inlines it into the policies
-- and views; pg_catalog.pg_roles is readable by every role.)
CREATE FUNCTION tsetp.acts_as(member name) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                    WHERE r.rolname OPERATOR(pg_catalog.=) $1 AND pg_catalog.pg_has_role(r.oid, 'MEMBER'));
COMMENT ON FUNCTION tsetp.acts_as(name) IS
    'True when the current role is a member of the role named (tsetp.holder_member.member); false, not an error, when no role has that name';

CREATE FUNCTION tsetp.acts_as(role name, member name) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                    WHERE r.rolname OPERATOR(pg_catalog.=) $2 AND pg_catalog.pg_has_role($1, r.oid, 'MEMBER'));
COMMENT ON FUNCTION tsetp.acts_as(name, name) IS
    'True when the role is a member of the role named (tsetp.holder_member.member); false, not an error, when no role has the second name';

-- A new row of tsetp.holder_member names a role that exists (one dropped
-- later leaves a row that matches nobody, tsetp.acts_as).
CREATE FUNCTION tsetp.holder_member_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = NEW.member) THEN
        RAISE EXCEPTION 'role "%" does not exist', NEW.member
            USING ERRCODE = '42704',
                  DETAIL = pg_catalog.format('Holder "%s" can only be given a database role that exists.', NEW.holder),
                  HINT = 'Create the role first (CREATE ROLE ... IN ROLE tsetp_operator), then add the row.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.holder_member_check() IS
    'Trigger: refuses a tsetp.holder_member row that names no existing role (42704)';
CREATE TRIGGER holder_member_check BEFORE INSERT OR UPDATE ON tsetp.holder_member
    FOR EACH ROW EXECUTE FUNCTION tsetp.holder_member_check();

-- Whether the current role may see an account holder's rows in the reports.
-- (No SET clause: the body's names are bound when it is created, and
-- without one the planner can inline it into the views that filter on it.)
CREATE FUNCTION tsetp.sees_holder(holder text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN pg_catalog.pg_has_role('tsetp_admin', 'MEMBER')
        OR pg_catalog.pg_has_role('tsetp_reader', 'MEMBER')
        OR EXISTS (SELECT 1 FROM tsetp.holder_member m
                    WHERE m.holder = $1 AND tsetp.acts_as(m.member));
COMMENT ON FUNCTION tsetp.sees_holder(text) IS
    'True when the current role is a tsetp_admin or tsetp_reader, or acts for the holder (tsetp.holder_member)';

-- Facility data belongs to the user: pg_dump must keep all of it.
SELECT pg_catalog.pg_extension_config_dump('tsetp.facility', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('tsetp.facility', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.energy_use', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.emission', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.base_emission', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.certification', '');
