-- Programme configuration: every period, rate, threshold, cap, relief and
-- credit kind is a row here, never a constant in code. Saitama, Tokyo and
-- JVETS ship preloaded; a prefecture adds its own programme as rows.
--
-- Shipped rows carry seeded = true. pg_dump keeps the rows a user adds or
-- changes (pg_extension_config_dump filters on NOT seeded): changing a shipped
-- row turns it into a user row, and restoring a user row whose key matches a
-- shipped row updates that row in place (tsetp.config_row()).

CREATE FUNCTION tsetp.in_extension_script() RETURNS boolean
    AS 'MODULE_PATHNAME', 'tsetp_in_extension_script'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.in_extension_script() IS
    'True while the tsetp extension script itself is running (used to tell shipped configuration rows from user rows)';

CREATE FUNCTION tsetp.config_row() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n       bigint;
BEGIN
    NEW.seeded := tsetp.in_extension_script();
    IF TG_OP = 'UPDATE' OR NEW.seeded THEN
        RETURN NEW;
    END IF;
    -- A user row with the key of a shipped row replaces the shipped row in
    -- place, so that a dump of user changes restores over a fresh install.
    -- (Every name is quoted with %I where the statement is built.)
    EXECUTE pg_catalog.format('UPDATE %I.%I SET %s WHERE seeded AND %s',
                              TG_TABLE_SCHEMA, TG_TABLE_NAME,
                              (SELECT string_agg(pg_catalog.format('%I = $1.%I', a.attname, a.attname), ', ')
                                 FROM pg_catalog.pg_attribute a
                                WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped
                                  AND a.attgenerated = '' AND a.attidentity = ''),
                              (SELECT string_agg(pg_catalog.format('%I = $1.%I', k, k), ' AND ')
                                 FROM pg_catalog.unnest(TG_ARGV) AS k))
      USING NEW;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.config_row() IS
    'Trigger on configuration tables: marks shipped rows, and lets a user row replace the shipped row with the same key';

-- A programme and its scalar parameters.
CREATE TABLE tsetp.programme (
    code                    text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name                    text NOT NULL,
    name_ja                 text,
    credit_origin           text NOT NULL UNIQUE CHECK (credit_origin ~ '^[A-Z0-9]{1,8}$'),
    timezone                text NOT NULL DEFAULT 'Asia/Tokyo',
    coverage_kl             numeric CHECK (coverage_kl > 0),
    coverage_years          int CHECK (coverage_years > 0),
    historical_base_years   tsetp.fiscal_period,
    base_average_years      int CHECK (base_average_years > 0),
    new_base_lookback_years int CHECK (new_base_lookback_years > 0),
    revision_threshold      numeric CHECK (revision_threshold > 0 AND revision_threshold < 1),
    reduction_cap           numeric CHECK (reduction_cap > 0 AND reduction_cap <= 1),
    penalty_factor          numeric CHECK (penalty_factor > 0),
    transitional_from       tsetp.fiscal_year,
    excess_from_year        int CHECK (excess_from_year > 0),
    banking_periods         int NOT NULL DEFAULT 1 CHECK (banking_periods >= 0),
    seeded                  boolean NOT NULL DEFAULT false,
    existing_use_years      tsetp.fiscal_period
);
COMMENT ON TABLE tsetp.programme IS 'An emissions trading programme and its scalar parameters (目標設定型排出量取引制度)';
COMMENT ON COLUMN tsetp.programme.code IS 'Programme code: saitama, tokyo, jvets, or your own';
COMMENT ON COLUMN tsetp.programme.credit_origin IS 'Origin code written into the serial blocks this programme issues (SAI, TKY, JV)';
COMMENT ON COLUMN tsetp.programme.timezone IS 'Time zone of the registry''s business hours and deadlines';
COMMENT ON COLUMN tsetp.programme.coverage_kl IS 'Crude-oil-equivalent energy use (kL) that makes a year count towards coverage (1,500)';
COMMENT ON COLUMN tsetp.programme.coverage_years IS 'Consecutive qualifying fiscal years after which a facility is covered (3)';
COMMENT ON COLUMN tsetp.programme.historical_base_years IS 'Window within which an existing facility chooses the years of its base emissions (FY2002-FY2007)';
COMMENT ON COLUMN tsetp.programme.existing_use_years IS
    'An existing facility (既存事業所) used at least coverage_kl in every one of these years, each a full year (Saitama: FY2006-FY2010); NULL: a facility covered from the first plan period is existing';
COMMENT ON COLUMN tsetp.programme.base_average_years IS 'Consecutive years averaged into historical base emissions (3)';
COMMENT ON COLUMN tsetp.programme.new_base_lookback_years IS 'A new facility chooses its base years within this many years before its first period (4)';
COMMENT ON COLUMN tsetp.programme.revision_threshold IS 'Smallest change, as a fraction of the current base, that revises base emissions (0.06)';
COMMENT ON COLUMN tsetp.programme.reduction_cap IS 'Counted reduction per year is capped at this fraction of that year''s base (0.5); NULL for no cap';
COMMENT ON COLUMN tsetp.programme.penalty_factor IS 'Shortfall multiplier ordered on non-compliance (Tokyo 1.3); NULL where there is none (Saitama)';
COMMENT ON COLUMN tsetp.programme.transitional_from IS 'Facilities covered from this fiscal year on are assessed on the transitional ladder (FY2012)';
COMMENT ON COLUMN tsetp.programme.excess_from_year IS 'Year of the period (1 = first) from which excess reduction can be issued and transferred (2)';
COMMENT ON COLUMN tsetp.programme.banking_periods IS 'How many later periods a credit may be carried into (1: its own period or the next)';
COMMENT ON COLUMN tsetp.programme.seeded IS 'Row shipped with the extension (not dumped); false for rows you added or changed';

-- Plan periods (削減計画期間) and their achievement deadlines.
CREATE TABLE tsetp.plan_period (
    programme   text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    period_no   int NOT NULL CHECK (period_no > 0),
    years       tsetp.fiscal_period NOT NULL,
    deadline    date NOT NULL,
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, period_no),
    CHECK (deadline > tsetp.fy_end(tsetp.upper(years)))
);
COMMENT ON TABLE tsetp.plan_period IS 'Plan periods (削減計画期間) of each programme, with the deadline that ends the adjustment period';
COMMENT ON COLUMN tsetp.plan_period.years IS 'The fiscal years of the period, e.g. FY2020-FY2024';
COMMENT ON COLUMN tsetp.plan_period.deadline IS 'Achievement deadline (目標達成期限): last day to trade and surrender for the period';

-- Plan periods of a programme neither overlap nor go back in time.
CREATE FUNCTION tsetp.plan_period_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    clash record;
BEGIN
    SELECT p.period_no, p.years INTO clash
      FROM tsetp.plan_period p
     WHERE p.programme = NEW.programme AND p.period_no <> NEW.period_no
       AND (p.years OPERATOR(tsetp.&&) NEW.years
            OR (p.period_no < NEW.period_no AND tsetp.lower(p.years) OPERATOR(tsetp.>) tsetp.lower(NEW.years))
            OR (p.period_no > NEW.period_no AND tsetp.lower(p.years) OPERATOR(tsetp.<) tsetp.lower(NEW.years)))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'plan period % of programme "%" (%) conflicts with period % (%)',
            NEW.period_no, NEW.programme, NEW.years, clash.period_no, clash.years
            USING ERRCODE = '23P01',
                  DETAIL = 'Periods of a programme may not overlap and must be numbered in time order.',
                  HINT = 'Check the years of both periods.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.plan_period_check() IS 'Trigger: keeps the plan periods of a programme disjoint and in order';
CREATE TRIGGER plan_period_check BEFORE INSERT OR UPDATE ON tsetp.plan_period
    FOR EACH ROW EXECUTE FUNCTION tsetp.plan_period_check();

-- Facility categories (区分) of a programme.
CREATE TABLE tsetp.category (
    programme   text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    code        text NOT NULL,
    name        text NOT NULL,
    name_ja     text,
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, code)
);
COMMENT ON TABLE tsetp.category IS 'Facility categories of a programme (Saitama 1-1, 1-2, 2; Tokyo I-1, I-2, II)';

-- Standard target rates by period and category.
CREATE TABLE tsetp.target_rate (
    programme   text NOT NULL,
    period_no   int NOT NULL,
    category    text NOT NULL,
    rate        numeric NOT NULL CHECK (rate >= 0 AND rate < 1),
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, period_no, category),
    FOREIGN KEY (programme, period_no) REFERENCES tsetp.plan_period ON UPDATE CASCADE,
    FOREIGN KEY (programme, category) REFERENCES tsetp.category ON UPDATE CASCADE
);
COMMENT ON TABLE tsetp.target_rate IS 'Standard target rates (目標削減率) per period and category; 0.22 = 22%';

-- Transitional ladder (経過措置): in the n-th year of coverage, a year that
-- falls in period_no is assessed at rate instead of the standard rate.
CREATE TABLE tsetp.transitional_rate (
    programme   text NOT NULL,
    period_no   int NOT NULL,
    category    text NOT NULL,
    first_n     int NOT NULL CHECK (first_n >= 1),
    last_n      int CHECK (last_n >= first_n),
    rate        numeric NOT NULL CHECK (rate >= 0 AND rate < 1),
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, period_no, category, first_n),
    FOREIGN KEY (programme, period_no) REFERENCES tsetp.plan_period ON UPDATE CASCADE,
    FOREIGN KEY (programme, category) REFERENCES tsetp.category ON UPDATE CASCADE
);
COMMENT ON TABLE tsetp.transitional_rate IS 'Transitional ladder (経過措置): rate for the first_n..last_n-th years of coverage of facilities covered from programme.transitional_from on';

-- Kinds of certification a facility can hold for a year.
CREATE TABLE tsetp.certification_kind (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name        text NOT NULL,
    name_ja     text,
    seeded      boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE tsetp.certification_kind IS 'Kinds of yearly certification that can bring relief: sme, medical, near_top, top';

-- Relief (緩和措置): what a certification does to the rate in a period.
CREATE TABLE tsetp.relief (
    programme     text NOT NULL,
    period_no     int NOT NULL,
    kind          text NOT NULL REFERENCES tsetp.certification_kind ON UPDATE CASCADE,
    operation     text NOT NULL CHECK (operation IN ('multiply', 'subtract')),
    value         numeric NOT NULL CHECK (value >= 0),
    standard_only boolean NOT NULL DEFAULT true,
    seeded        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, period_no, kind),
    FOREIGN KEY (programme, period_no) REFERENCES tsetp.plan_period ON UPDATE CASCADE,
    CHECK (operation <> 'multiply' OR value <= 1)
);
COMMENT ON TABLE tsetp.relief IS 'Relief (緩和措置) per period and certification: multiply the rate by value (¾ = 0.75) or subtract value (2 points = 0.02)';
COMMENT ON COLUMN tsetp.relief.standard_only IS 'Applies only to standard rates, never to transitional ones';

-- Grounds on which base emissions may (or may never) be revised.
CREATE TABLE tsetp.revision_ground (
    programme   text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    code        text NOT NULL,
    admissible  boolean NOT NULL,
    explanation text NOT NULL,
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, code)
);
COMMENT ON TABLE tsetp.revision_ground IS 'Grounds for revising base emissions (基準排出量の変更), admissible or not, with the reason shown to the user';

-- Standard emission intensities (排出標準原単位) by building use.
CREATE TABLE tsetp.standard_intensity (
    programme   text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    use         text NOT NULL,
    name_ja     text,
    t_per_m2    numeric NOT NULL CHECK (t_per_m2 > 0),
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, use)
);
COMMENT ON TABLE tsetp.standard_intensity IS 'Standard emission intensities (排出標準原単位) in t-CO2 per m2 of floor area and year, by use';

-- Credit kinds (クレジット等) of a programme and their limits.
CREATE TABLE tsetp.credit_kind (
    programme         text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    code              text NOT NULL CHECK (code ~ '^[A-Za-z0-9]{1,8}$'),
    name              text NOT NULL,
    name_ja           text,
    transferable      boolean NOT NULL DEFAULT true,
    own_facility_only boolean NOT NULL DEFAULT false,
    cap_numerator     int,
    cap_denominator   int,
    seeded            boolean NOT NULL DEFAULT false,
    excess_reduction  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, code),
    CHECK ((cap_numerator IS NULL) = (cap_denominator IS NULL)),
    CHECK (cap_numerator > 0 AND cap_denominator >= cap_numerator)
);
COMMENT ON TABLE tsetp.credit_kind IS 'Credit kinds (クレジット等) of a programme and their limits';
COMMENT ON COLUMN tsetp.credit_kind.transferable IS 'False: stays in the account it was issued to (other-gas reduction)';
COMMENT ON COLUMN tsetp.credit_kind.own_facility_only IS 'Counts only for the facility that made it';
COMMENT ON COLUMN tsetp.credit_kind.excess_reduction IS
    'The kind the registry issues for the excess reduction (超過削減量) the engine computes (ER in Saitama and Tokyo): issued only as computed, transferable from the programme''s excess_from_year-th year of a period; at most one per programme';
CREATE UNIQUE INDEX credit_kind_one_excess ON tsetp.credit_kind (programme) WHERE excess_reduction;
COMMENT ON INDEX tsetp.credit_kind_one_excess IS 'A programme has at most one kind of excess reduction';
COMMENT ON COLUMN tsetp.credit_kind.cap_numerator IS 'With cap_denominator: at most this exact fraction of a facility''s reduction obligation for a period may be met with this kind (out-of-area: 1/3); NULL for no cap';
COMMENT ON COLUMN tsetp.credit_kind.cap_denominator IS 'Denominator of the surrender cap (3 for one third)';

-- Makes a table a configuration table: shipped rows are marked, a user row
-- replaces the shipped row with the same key, and pg_dump keeps user rows.
-- The trigger fires ALWAYS, also while a dump is restored with
-- session_replication_role = replica (see 99_dump.sql) and while CREATE
-- EXTENSION runs in that mode.
CREATE FUNCTION tsetp.register_config_table(tab regclass, keycols text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER config_row BEFORE INSERT OR UPDATE ON %s
                    FOR EACH ROW EXECUTE FUNCTION tsetp.config_row(%s)',
                   tab, (SELECT string_agg(quote_literal(k), ', ') FROM unnest(keycols) k));
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER config_row', tab);
    PERFORM pg_catalog.pg_extension_config_dump(tab, 'WHERE NOT seeded');
END
$$;
COMMENT ON FUNCTION tsetp.register_config_table(regclass, text[]) IS
    'Install-script helper: makes a table a configuration table (shipped rows marked, user rows dumped, a user row replaces the shipped row with its key)';
REVOKE EXECUTE ON FUNCTION tsetp.register_config_table(regclass, text[]) FROM PUBLIC;

SELECT tsetp.register_config_table(('tsetp.' || tab)::regclass, keycols)
  FROM (VALUES
        ('programme', ARRAY['code']),
        ('plan_period', ARRAY['programme', 'period_no']),
        ('category', ARRAY['programme', 'code']),
        ('target_rate', ARRAY['programme', 'period_no', 'category']),
        ('transitional_rate', ARRAY['programme', 'period_no', 'category', 'first_n']),
        ('certification_kind', ARRAY['code']),
        ('relief', ARRAY['programme', 'period_no', 'kind']),
        ('revision_ground', ARRAY['programme', 'code']),
        ('standard_intensity', ARRAY['programme', 'use']),
        ('credit_kind', ARRAY['programme', 'code'])) AS v(tab, keycols);
