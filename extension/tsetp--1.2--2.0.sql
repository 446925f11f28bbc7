-- tsetp 1.2 -> 2.0
--
-- Version 2.0 makes the registry's promise hold against every client.
-- Each part below is the update of one concern; a fresh install builds the
-- same objects from extension/sql/.
\echo Use "ALTER EXTENSION tsetp UPDATE TO '2.0'" to load this file. \quit

-- A facility id chosen with OVERRIDING SYSTEM VALUE under 1.2 may lie ahead
-- of its sequence; move the sequences past the ids in use.
SELECT pg_catalog.setval(s.seq, s.top)
  FROM (SELECT pg_catalog.pg_get_serial_sequence('tsetp.ledger', 'id')::regclass AS seq,
               (SELECT pg_catalog.max(l.id) FROM tsetp.ledger l) AS top
        UNION ALL
        SELECT pg_catalog.pg_get_serial_sequence('tsetp.facility', 'id')::regclass,
               (SELECT pg_catalog.max(f.id) FROM tsetp.facility f)) s
 WHERE s.top > COALESCE(pg_catalog.pg_sequence_last_value(s.seq), 0);

-- == PL/pgSQL lint fixes ===================================================
-- plpgsql_check (test/lint.sql) findings, fixed: config_row builds its
-- statement from quoted names in place; ledger_rules loses an unused
-- variable and types its empty array.
CREATE OR REPLACE FUNCTION tsetp.config_row() RETURNS trigger
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




-- == Four-eyes by person, and the moment a rule is judged ==================
-- Four-eyes is two people: the login (session user) of the requester and
-- of the decider is recorded next to the acting role, stamped by
-- tsetp.registry_stamp() (extension/registry.c). Rows recorded before 2.0
-- knew only the role; their login is taken to be that role, which is what
-- four-eyes compared then. The append-only triggers are held off for that
-- one fill.
ALTER TABLE tsetp.ledger ADD COLUMN requested_by_login name;
ALTER TABLE tsetp.approval ADD COLUMN decided_by_login name;
ALTER TABLE tsetp.ledger DISABLE TRIGGER ledger_append_only;
ALTER TABLE tsetp.approval DISABLE TRIGGER approval_append_only;
UPDATE tsetp.ledger SET requested_by_login = requested_by;
UPDATE tsetp.approval SET decided_by_login = decided_by;
ALTER TABLE tsetp.ledger ENABLE TRIGGER ledger_append_only;
ALTER TABLE tsetp.approval ENABLE TRIGGER approval_append_only;
ALTER TABLE tsetp.ledger ALTER COLUMN requested_by_login SET NOT NULL;
ALTER TABLE tsetp.approval ALTER COLUMN decided_by_login SET NOT NULL;
COMMENT ON COLUMN tsetp.ledger.requested_by_login IS 'Set by the registry: the login (session user) that requested, whatever role it acted as; four-eyes compares it with the approver''s';
COMMENT ON COLUMN tsetp.approval.decided_by_login IS 'Set by the registry: the login (session user) that decided, whatever role it acted as';
COMMENT ON TABLE tsetp.approval IS
    'Decisions on transactions that wait for approval, append-only: approved (by a tsetp_admin, a login other than the requester''s), rejected (by a tsetp_admin) or withdrawn (by the requester''s login or a tsetp_admin)';
COMMENT ON FUNCTION tsetp.registry_stamp() IS
    'Trigger: records the role that inserts a ledger or approval row, its login (session user) and the registry''s time, whatever the client wrote there';

-- The clock is the statement's time; a pin only for a superuser login.
COMMENT ON FUNCTION tsetp.clock() IS
    'The registry''s clock: the current statement''s time (statement_timestamp(), or the transaction''s start when later, in a procedure), or the setting tsetp.now (e.g. SET tsetp.now = ''2026-06-01 10:30+09'') in a session whose login is a superuser, for tests (check 5012 refuses it for any other login)';

-- Four-eyes by login; withdrawal by the requester's login; an approval is
-- judged (business hours, the surrender deadline) when it is made.


-- Both logins in the status and the report.
CREATE OR REPLACE VIEW tsetp.transaction_status AS
SELECT l.id,
       CASE WHEN c.id IS NOT NULL THEN 'reversed'
            WHEN NOT l.needs_approval OR a.decision = 'approved' THEN 'completed'
            WHEN a.decision IS NULL THEN 'requested'
            WHEN a.decision = 'rejected' THEN 'rejected'
            ELSE 'cancelled' END AS status,
       CASE WHEN NOT l.needs_approval THEN l.requested_at
            WHEN a.decision = 'approved' THEN a.decided_at END AS effective_at,
       a.decided_by, a.decided_at, a.reason,
       c.id AS reversed_by, c.requested_at AS reversed_at,
       a.decided_by_login
  FROM tsetp.ledger l
  LEFT JOIN tsetp.approval a ON a.transaction_id = l.id
  LEFT JOIN tsetp.ledger c ON c.corrects = l.id;

CREATE OR REPLACE VIEW tsetp.ledger_report AS
SELECT l.id AS transaction_id,
       COALESCE(s.effective_at, l.requested_at) AS date,
       l.requested_at, s.effective_at,
       l.type, s.status, l.programme,
       x.account, x.counterparty,
       l.kind,
       CASE WHEN x.direction = 'in' THEN l.amount::numeric END AS amount_in,
       CASE WHEN x.direction = 'out' THEN l.amount::numeric END AS amount_out,
       (l.type = 'correction') AS correction,
       l.corrects, s.reversed_by,
       l.facility_id, l.period_no,
       pg_catalog.array_to_string(l.blocks, ' ') AS blocks,
       l.requested_by, s.decided_by, l.note,
       l.requested_by_login, s.decided_by_login
  FROM tsetp.ledger l
  JOIN tsetp.transaction_status s ON s.id = l.id
 CROSS JOIN LATERAL (VALUES (l.from_account, l.to_account, 'out'), (l.to_account, l.from_account, 'in')) AS x(account, counterparty, direction)
  JOIN tsetp.account a ON a.number = x.account
 WHERE tsetp.sees_holder(a.holder);
COMMENT ON COLUMN tsetp.ledger_report.requested_by_login IS 'Login (person) that requested the transaction, whatever role it acted as';
COMMENT ON COLUMN tsetp.ledger_report.decided_by_login IS 'Login (person) that approved, rejected or withdrew it, whatever role it acted as';



-- == What each role reads: row-level security, refusals, the report views ==
-- A holder_member row naming a dropped role matches nobody (it made
-- pg_has_role() fail for every operator); a new row must name a role.

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

CREATE OR REPLACE FUNCTION tsetp.sees_holder(holder text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN pg_catalog.pg_has_role('tsetp_admin', 'MEMBER')
        OR pg_catalog.pg_has_role('tsetp_reader', 'MEMBER')
        OR EXISTS (SELECT 1 FROM tsetp.holder_member m
                    WHERE m.holder = $1 AND tsetp.acts_as(m.member));

ALTER POLICY own ON tsetp.holder_member USING (tsetp.acts_as(member));

-- Refusals name only what the caller may see: two wordings of a refusal,
-- and whether a role may see a holder's business.

CREATE FUNCTION tsetp.registry_refuse(code int, detailed boolean, message text, detail text, hint text,
                                      brief_message text, brief_detail text, brief_hint text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF detailed THEN
        PERFORM tsetp.registry_refuse(code, message, detail, hint);
    END IF;
    PERFORM tsetp.registry_refuse(code, brief_message, brief_detail, brief_hint);
END
$$;
COMMENT ON FUNCTION tsetp.registry_refuse(int, boolean, text, text, text, text, text, text) IS
    'Raises the registry refusal of a check code with the detailed message, detail and hint when detailed is true (the caller may see what they name), else with the brief ones';

-- Whether a role may see an account holder's or facility operator's
-- business: a tsetp_admin, or a role acting for the holder.
CREATE FUNCTION tsetp.role_sees_holder(role name, holder text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN pg_catalog.pg_has_role($1, 'tsetp_admin', 'MEMBER')
        OR EXISTS (SELECT 1 FROM tsetp.holder_member m
                    WHERE m.holder OPERATOR(pg_catalog.=) $2 AND tsetp.acts_as($1, m.member));
COMMENT ON FUNCTION tsetp.role_sees_holder(name, text) IS
    'True when the role is a tsetp_admin or acts for the holder (tsetp.holder_member): what a refusal may tell it about the holder''s accounts, facilities and transactions';

-- A role that is not a tsetp_admin opens general accounts only (row-level
-- security says so too); refused before tsetp.account_check (which runs as
-- the owner) looks up the facility, so that the refusal tells nothing about
-- it. Runs as the caller, and its name sorts first.
CREATE FUNCTION tsetp.account_caller_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.facility_id IS NOT NULL AND NOT pg_catalog.pg_has_role('tsetp_admin', 'MEMBER') THEN
        RAISE EXCEPTION 'permission denied to open a designated account'
            USING ERRCODE = '42501',
                  DETAIL = 'The registry opens a facility''s designated account when the facility becomes covered.',
                  HINT = 'Open a general account (tsetp.open_account).';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.account_caller_check() IS
    'Trigger: refuses a designated account opened by a role that is not a tsetp_admin (42501), before anything about the facility is looked up';
CREATE TRIGGER a_caller_check BEFORE INSERT ON tsetp.account
    FOR EACH ROW EXECUTE FUNCTION tsetp.account_caller_check();






-- The report views read no table through a function that runs as the reader.

CREATE OR REPLACE VIEW tsetp.surrendered_credit AS
SELECT l.facility_id, l.period_no,
       COALESCE(tsetp.sum(tsetp.amount(b.block)) FILTER (WHERE q.own_banked), '0'::tsetp.tco2) AS own_banked,
       COALESCE(tsetp.sum(tsetp.amount(b.block)) FILTER (WHERE NOT q.own_banked), '0'::tsetp.tco2) AS other_credits
  FROM tsetp.ledger l
  JOIN tsetp.transaction_status s ON s.id = l.id
  JOIN tsetp.facility f ON f.id = l.facility_id
  JOIN tsetp.programme p ON p.code = f.programme
 CROSS JOIN LATERAL pg_catalog.unnest(l.blocks) AS b(block)
 CROSS JOIN LATERAL (SELECT COALESCE(tsetp.kind(b.block) = (SELECT k.code FROM tsetp.credit_kind k
                                                                WHERE k.programme = f.programme AND k.excess_reduction)
                                     AND tsetp.source(b.block) = f.code
                                     AND tsetp.origin(b.block) = p.credit_origin
                                     AND (SELECT vp.period_no FROM tsetp.plan_period vp
                                           WHERE vp.programme = f.programme
                                             AND vp.years OPERATOR(tsetp.@>) tsetp.vintage(b.block)) < l.period_no, false)) AS q(own_banked)
 WHERE l.type = 'surrender' AND s.status = 'completed'
 GROUP BY l.facility_id, l.period_no;


-- The views that filter rows for the caller (tsetp.sees_holder) are
-- security barriers: a function or operator of the caller's own in a WHERE
-- on them is applied only to the rows the filter let through (only
-- LEAKPROOF ones, such as the comparisons of the extension's types, are
-- pushed below it).
ALTER VIEW tsetp.my_facility_year SET (security_barrier = true);
ALTER VIEW tsetp.my_facility_period SET (security_barrier = true);
ALTER VIEW tsetp.my_facility_assessment SET (security_barrier = true);
ALTER VIEW tsetp.ledger_movement SET (security_barrier = true);
ALTER VIEW tsetp.account_balance SET (security_barrier = true);
ALTER VIEW tsetp.ledger_report SET (security_barrier = true);
-- The published reports join rows their readers may not read themselves
-- (the plan periods and categories no facility is in): barriers too.
ALTER VIEW tsetp.compliance_report SET (security_barrier = true);
ALTER VIEW tsetp.programme_summary SET (security_barrier = true);


-- The guards' reading of standing excess is the prefecture's (it reads
-- tsetp.standing_excess).
REVOKE EXECUTE ON FUNCTION tsetp.excess_issued_from(bigint, tsetp.fiscal_year) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tsetp.excess_issued_from(bigint, tsetp.fiscal_year) TO tsetp_admin;


-- == Every check across sessions and isolation levels; no one stalls others
-- Rules that read more than the row they write meet on guard rows that
-- competing writers UPDATE (tsetp.account_guard, tsetp.surrender_guard);
-- the programme's issuance lock is a row lock on tsetp.issuance_guard, not
-- an advisory lock any login could take; serials and input amounts are
-- bounded so that no request takes the serial space or the programme's
-- sums from others. See 80_registry.sql.
-- An account has two guard rows: units leaving it update its 'out' row
-- (their checks read its free units and reserve), units entering it its
-- 'in' row (their checks read only its status), and a change of its status
-- or reserve updates both. So a transfer out waits for another transfer out
-- and for a closing, but never for units coming in: a transaction of
-- another holder's that moved units into an account and stays open does not
-- hold up the account's own requests.
CREATE TABLE tsetp.account_guard (
    account  text NOT NULL,
    side     text NOT NULL CHECK (side IN ('in', 'out')),
    touches  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (account, side)
);
COMMENT ON TABLE tsetp.account_guard IS
    'Internal: two rows per account, ''out'' updated by every movement out of it, ''in'' by every movement into it, both by a change of its status or reserve, so that concurrent checks of its balance, reserve and status see each other or fail with 40001; granted to no one';

CREATE TABLE tsetp.surrender_guard (
    facility_id bigint NOT NULL,
    period_no   int NOT NULL,
    kind        text NOT NULL,
    touches     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (facility_id, period_no, kind)
);
COMMENT ON TABLE tsetp.surrender_guard IS
    'Internal: one row per facility, period and capped credit kind, updated by every surrender request of the kind, so that concurrent checks of its cap (check 4004) see each other or fail with 40001; granted to no one';

CREATE TABLE tsetp.issuance_guard (
    programme text PRIMARY KEY
);
COMMENT ON TABLE tsetp.issuance_guard IS
    'Internal: one row per programme, locked FOR UPDATE by issuers of its excess reduction and FOR SHARE by changes of what that rests on (tsetp.excess_guard_lock); granted to no one';

-- Updates both guard rows of the given accounts (NULLs ignored), for a
-- change of their status or reserve; in (account, side) order, as every
-- guard is taken, so that two writers cannot deadlock on them.
CREATE FUNCTION tsetp.account_guard_touch(accounts text[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO tsetp.account_guard AS g (account, side)
    SELECT DISTINCT a.account, s.side FROM pg_catalog.unnest($1) AS a(account), (VALUES ('in'), ('out')) AS s(side)
     WHERE a.account IS NOT NULL
     ORDER BY a.account, s.side
    ON CONFLICT (account, side) DO UPDATE SET touches = g.touches + 1;
END
$$;
COMMENT ON FUNCTION tsetp.account_guard_touch(text[]) IS
    'Internal: updates both guard rows of the accounts (tsetp.account_guard) before a change of their status or reserve';
REVOKE EXECUTE ON FUNCTION tsetp.account_guard_touch(text[]) FROM PUBLIC;

-- Updates the guard rows of a movement: the sending account's 'out' row and
-- the receiving account's 'in' row (either may be NULL), in (account, side)
-- order.
CREATE FUNCTION tsetp.account_guard_move(from_account text, to_account text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO tsetp.account_guard AS g (account, side)
    SELECT DISTINCT v.account, v.side FROM (VALUES ($1, 'out'), ($2, 'in')) AS v(account, side)
     WHERE v.account IS NOT NULL
     ORDER BY v.account, v.side
    ON CONFLICT (account, side) DO UPDATE SET touches = g.touches + 1;
END
$$;
COMMENT ON FUNCTION tsetp.account_guard_move(text, text) IS
    'Internal: updates the guard rows of a movement (tsetp.account_guard: the sender''s out, the receiver''s in) before its checks read the accounts';
REVOKE EXECUTE ON FUNCTION tsetp.account_guard_move(text, text) FROM PUBLIC;

-- Fresh serials go past imported blocks; an import does not move the counter.
CREATE FUNCTION tsetp.free_serials(first_s bigint, n bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    top bigint;
BEGIN
    LOOP
        SELECT pg_catalog.max(tsetp.last_serial(x.block)) INTO top
          FROM tsetp.holding x
         WHERE x.block OPERATOR(tsetp.&&) tsetp.credit('X', 'X', 'FY2000', 'X', first_s, first_s + n - 1);
        EXIT WHEN top IS NULL;
        first_s := top + 1;
    END LOOP;
    RETURN first_s;
END
$$;
COMMENT ON FUNCTION tsetp.free_serials(bigint, bigint) IS
    'Internal: the first serial from first_s on of a run of n serials that no holding uses (fresh serials go past imported blocks)';
REVOKE EXECUTE ON FUNCTION tsetp.free_serials(bigint, bigint) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Bounds on the inputs: an absurd amount of one facility breaks no one else
-- ---------------------------------------------------------------------------
--
-- Amounts are exact: tco2 is milli-tonnes in an int64 (up to about 9.2e15
-- t), and the engine and the reports add a programme's facility-years up in
-- it. One facility's amount near the type's limit (type-legal, a typing
-- error or a hostile client) would make every sum over the programme
-- overflow: the compliance report, the programme summary, the period's
-- set-wise issuance would fail for all. Rather than make every aggregate
-- wider (numeric everywhere, slower and still unbounded in what the
-- registry then issues), an amount beyond the programme's bound is refused
-- where it is recorded (check 4030). The bounds are rows of the programme;
-- the defaults, 10^9 t of CO2 and 10^9 kL of crude-oil equivalent a year
-- for one facility, lie far above any real facility (Japan's whole energy
-- use is about 4 x 10^8 kL a year) and leave room for some 10^6
-- facility-years in one sum.
ALTER TABLE tsetp.programme
    ADD COLUMN max_tonnes tsetp.tco2 NOT NULL DEFAULT '1000000000' CHECK (max_tonnes > '0'),
    ADD COLUMN max_energy_kl numeric NOT NULL DEFAULT 1000000000 CHECK (max_energy_kl > 0);
COMMENT ON COLUMN tsetp.programme.max_tonnes IS
    'Largest emissions or base emissions of one facility and year the registry records (check 4030; 10^9 t)';
COMMENT ON COLUMN tsetp.programme.max_energy_kl IS
    'Largest energy use of one facility and year, in kL of crude-oil equivalent, the registry records (check 4030; 10^9 kL)';

-- Statement trigger on emissions, base emissions and energy use: refuses
-- the statement when a row it wrote exceeds its programme's bound.
CREATE FUNCTION tsetp.amount_bound_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    hit record;
BEGIN
    IF TG_TABLE_NAME = 'energy_use' THEN
        SELECT f.code, n.fy, n.crude_oil_kl::text AS amount, p.max_energy_kl::text || ' kL' AS bound, p.code AS programme INTO hit
          FROM new_rows n JOIN tsetp.facility f ON f.id = n.facility_id JOIN tsetp.programme p ON p.code = f.programme
         WHERE n.crude_oil_kl > p.max_energy_kl
         LIMIT 1;
    ELSIF TG_TABLE_NAME = 'emission' THEN
        SELECT f.code, n.fy, n.amount::text AS amount, p.max_tonnes::text || ' t' AS bound, p.code AS programme INTO hit
          FROM new_rows n JOIN tsetp.facility f ON f.id = n.facility_id JOIN tsetp.programme p ON p.code = f.programme
         WHERE n.amount OPERATOR(tsetp.>) p.max_tonnes
         LIMIT 1;
    ELSE
        SELECT f.code, n.effective_from AS fy, n.amount::text AS amount, p.max_tonnes::text || ' t' AS bound, p.code AS programme INTO hit
          FROM new_rows n JOIN tsetp.facility f ON f.id = n.facility_id JOIN tsetp.programme p ON p.code = f.programme
         WHERE n.amount OPERATOR(tsetp.>) p.max_tonnes
         LIMIT 1;
    END IF;
    IF FOUND THEN
        PERFORM tsetp.registry_refuse(4030, pg_catalog.format('%s of facility %s for %s exceeds the bound of programme %s', TG_TABLE_NAME, hit.code, hit.fy, hit.programme),
            pg_catalog.format('%s is more than %s, the most programme %s records for one facility and year.', hit.amount, hit.bound, hit.programme),
            'Check the amount and its unit; the bound is the programme''s max_tonnes or max_energy_kl.');
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.amount_bound_check() IS
    'Statement trigger: refuses emissions, base emissions or energy use of one facility and year beyond the programme''s bound (max_tonnes, max_energy_kl; check 4030)';
REVOKE EXECUTE ON FUNCTION tsetp.amount_bound_check() FROM PUBLIC;
CREATE TRIGGER a_amount_bound_insert AFTER INSERT ON tsetp.emission
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.amount_bound_check();
CREATE TRIGGER a_amount_bound_update AFTER UPDATE ON tsetp.emission
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.amount_bound_check();
CREATE TRIGGER a_amount_bound_insert AFTER INSERT ON tsetp.base_emission
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.amount_bound_check();
CREATE TRIGGER a_amount_bound_insert AFTER INSERT ON tsetp.energy_use
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.amount_bound_check();
CREATE TRIGGER a_amount_bound_update AFTER UPDATE ON tsetp.energy_use
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.amount_bound_check();



CREATE OR REPLACE FUNCTION tsetp.ledger_rules() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src         tsetp.account;
    dst         tsetp.account;
    prog        tsetp.programme;
    rule        tsetp.transaction_rule;
    ck          tsetp.credit_kind;
    fac         tsetp.facility;
    pp          tsetp.plan_period;
    target      tsetp.ledger;
    h           record;
    piece       tsetp.credit;
    want        bigint;
    got         bigint := 0;
    skipped     bigint := 0;
    skip_code   int;
    skip_detail text;
    lo          bigint;
    hi          bigint;
    first_s     bigint;
    vp          int;
    last_vint   int;
    last_ok     int;
    new_state   text;
    new_account text;
    taken       tsetp.credit[] := '{}'::tsetp.credit[];
    er          record;
    issued      numeric;
BEGIN
    -- Amount: positive whole tonnes (credits are whole tonnes).
    IF NEW.amount IS NOT NULL THEN
        IF NEW.amount::numeric <= 0 OR NEW.amount::numeric <> pg_catalog.trunc(NEW.amount::numeric) THEN
            PERFORM tsetp.registry_refuse(3007, pg_catalog.format('amount %s is not a positive number of whole tonnes', NEW.amount),
                'Credits are whole tonnes, each with its own serial number.',
                'Give a positive whole number of tonnes.');
        END IF;
        want := NEW.amount::numeric;
    END IF;
    NEW.blocks := '{}';

    -- Who may ask: a tsetp_admin anything; anyone else (an operator or a
    -- broker) only transfers, surrenders and retirements from the accounts
    -- of holders it acts for. Row-level security says the same after this
    -- trigger; checking first keeps other holders' balances out of errors.
    IF NOT pg_catalog.pg_has_role(NEW.requested_by, 'tsetp_admin', 'MEMBER')
       AND (NEW.type NOT IN ('transfer', 'surrender', 'retire')
            OR NOT EXISTS (SELECT 1 FROM tsetp.account a
                             JOIN tsetp.holder_member m ON m.holder = a.holder
                            WHERE a.number = NEW.from_account
                              AND tsetp.acts_as(NEW.requested_by, m.member))) THEN
        RAISE EXCEPTION 'permission denied for % request%', NEW.type,
                        CASE WHEN NEW.from_account IS NOT NULL THEN ' from account ' || NEW.from_account ELSE '' END
            USING ERRCODE = '42501',
                  DETAIL = pg_catalog.format('Role %s is not a tsetp_admin, and only transfers, surrenders and retirements from the accounts of holders it acts for are open to it.', NEW.requested_by),
                  HINT = 'Operators request transfers, surrenders and retirements from their own accounts (tsetp.holder_member).';
    END IF;

    -- -----------------------------------------------------------------
    -- Correction: reverse a completed transaction, once.
    -- -----------------------------------------------------------------
    IF NEW.type = 'correction' THEN
        SELECT * INTO target FROM tsetp.ledger l WHERE l.id = NEW.corrects FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM tsetp.registry_refuse(5007, pg_catalog.format('transaction %s does not exist', NEW.corrects),
                'Only a completed transaction can be reversed.', 'Check the transaction id (tsetp.ledger_report).');
        END IF;
        IF target.type = 'correction' THEN
            PERFORM tsetp.registry_refuse(5008, pg_catalog.format('transaction %s is itself a correction', target.id),
                'A correction cannot be corrected.',
                'Record the intended movement as a new transaction.');
        END IF;
        IF target.needs_approval AND NOT EXISTS (SELECT 1 FROM tsetp.approval a
                                                  WHERE a.transaction_id = target.id AND a.decision = 'approved') THEN
            PERFORM tsetp.registry_refuse(5007, pg_catalog.format('transaction %s has not taken effect', target.id),
                'Only a completed transaction can be reversed.',
                'Withdraw (tsetp.withdraw) or reject (tsetp.reject) a transaction that waits for approval.');
        END IF;
        IF EXISTS (SELECT 1 FROM tsetp.ledger c WHERE c.corrects = target.id) THEN
            PERFORM tsetp.registry_refuse(5006, pg_catalog.format('transaction %s has already been reversed', target.id),
                pg_catalog.format('Transaction %s was reversed by transaction %s.', target.id,
                                  (SELECT c.id FROM tsetp.ledger c WHERE c.corrects = target.id)),
                'A transaction is reversed only once.');
        END IF;
        NEW.programme := target.programme;
        NEW.kind := target.kind;
        NEW.amount := target.amount;
        NEW.block := NULL;
        NEW.facility_id := NULL;
        NEW.period_no := NULL;
        NEW.needs_approval := false;
        NEW.from_account := CASE WHEN target.type IN ('issue', 'transfer') THEN target.to_account END;
        NEW.to_account := CASE WHEN target.type <> 'issue' THEN target.from_account END;
        -- The accounts' guards before anything of them is read.
        PERFORM tsetp.account_guard_move(NEW.from_account, NEW.to_account);
        -- Units leave and enter only open accounts, as in any transaction
        -- (lift a suspension first).
        SELECT * INTO src FROM tsetp.account a WHERE a.number = NEW.from_account;
        SELECT * INTO dst FROM tsetp.account a WHERE a.number = NEW.to_account;
        IF src.status = 'suspended' THEN
            PERFORM tsetp.registry_refuse(1002, pg_catalog.format('sending account %s is suspended', src.number),
                pg_catalog.format('Reversing transaction %s would move units out of account %s of %s, which is suspended.', target.id, src.number, src.holder),
                'Lift the suspension before the correction.');
        ELSIF src.status = 'closed' THEN
            PERFORM tsetp.registry_refuse(1003, pg_catalog.format('sending account %s is closed', src.number),
                pg_catalog.format('Reversing transaction %s would move units out of account %s of %s, which was closed.', target.id, src.number, src.holder),
                'A closed account holds nothing to give back.');
        END IF;
        IF dst.status = 'suspended' THEN
            PERFORM tsetp.registry_refuse(2003, pg_catalog.format('receiving account %s is suspended', dst.number),
                pg_catalog.format('Reversing transaction %s would move units into account %s of %s, which is suspended.', target.id, dst.number, dst.holder),
                'Lift the suspension before the correction.');
        ELSIF dst.status = 'closed' THEN
            PERFORM tsetp.registry_refuse(2004, pg_catalog.format('receiving account %s is closed', dst.number),
                pg_catalog.format('Reversing transaction %s would move units into account %s of %s, which was closed.', target.id, dst.number, dst.holder),
                'Transfer the units to the holder''s open account instead of reversing.');
        END IF;
        -- The serials must still be where the transaction left them, unused.
        FOR piece IN SELECT pg_catalog.unnest(target.blocks) LOOP
            SELECT COALESCE(pg_catalog.sum(x.tonnes), 0) INTO got
              FROM tsetp.holding x
             WHERE x.block OPERATOR(tsetp.&&) piece
               AND tsetp.serials(x.block) OPERATOR(pg_catalog.<@) tsetp.serials(piece)
               AND CASE target.type
                     WHEN 'issue' THEN x.account = target.to_account AND x.state = 'free'
                     WHEN 'transfer' THEN x.account = target.to_account AND x.state = 'free'
                     ELSE x.tx = target.id
                          AND x.state = CASE target.type WHEN 'surrender' THEN 'surrendered'
                                                         WHEN 'retire' THEN 'retired' ELSE 'cancelled' END
                   END;
            IF got <> tsetp.tonnes(piece) THEN
                PERFORM tsetp.registry_refuse(3009, pg_catalog.format('transaction %s cannot be reversed: its units have moved on', target.id),
                    pg_catalog.format('Only %s of the %s t of block %s are still free in account %s.',
                                      got, tsetp.tonnes(piece), piece, COALESCE(target.to_account, target.from_account)),
                    'Reverse the later transactions that moved these serials first.');
            END IF;
            UPDATE tsetp.holding x
               SET account = COALESCE(NEW.to_account, x.account),
                   state = CASE WHEN target.type = 'issue' THEN 'cancelled' ELSE 'free' END,
                   tx = NEW.id
             WHERE x.block OPERATOR(tsetp.&&) piece
               AND tsetp.serials(x.block) OPERATOR(pg_catalog.<@) tsetp.serials(piece)
               AND x.state <> 'reserved' AND (x.tx = target.id OR x.account = target.to_account);
        END LOOP;
        NEW.blocks := target.blocks;
        RETURN NEW;
    END IF;

    -- -----------------------------------------------------------------
    -- The accounts.
    -- -----------------------------------------------------------------
    -- Their guards first (tsetp.account_guard): a concurrent movement,
    -- closing or suspension of either account has then committed before the
    -- reads below (READ COMMITTED), or this request fails with 40001.
    PERFORM tsetp.account_guard_move(NEW.from_account, NEW.to_account);
    IF NEW.type = 'issue' THEN
        IF NEW.from_account IS NOT NULL THEN
            PERFORM tsetp.registry_refuse(1001, 'an issue has no sending account',
                'Issued credits are created by the registry.', 'Leave from_account empty.');
        END IF;
    ELSE
        SELECT * INTO src FROM tsetp.account a WHERE a.number = NEW.from_account;
        IF NOT FOUND THEN
            PERFORM tsetp.registry_refuse(1001, pg_catalog.format('sending account %s does not exist', COALESCE(NEW.from_account, '(none)')),
                pg_catalog.format('This %s needs an existing sending account.', NEW.type),
                'Check the account number (tsetp.account).');
        ELSIF src.status = 'suspended' THEN
            PERFORM tsetp.registry_refuse(1002, pg_catalog.format('sending account %s is suspended', src.number),
                pg_catalog.format('Account %s of %s is suspended: nothing can leave it.', src.number, src.holder),
                'Ask the registry administrator to lift the suspension.');
        ELSIF src.status = 'closed' THEN
            PERFORM tsetp.registry_refuse(1003, pg_catalog.format('sending account %s is closed', src.number),
                pg_catalog.format('Account %s of %s was closed.', src.number, src.holder),
                'Use an open account.');
        END IF;
        NEW.programme := src.programme;
    END IF;
    IF NEW.type IN ('issue', 'transfer') THEN
        SELECT * INTO dst FROM tsetp.account a WHERE a.number = NEW.to_account;
        -- Of another holder's account the sender learns only that it cannot
        -- receive: not whether it exists, is suspended or closed, or is of
        -- another programme, nor whose it is.
        IF (NOT FOUND OR dst.status <> 'open' OR dst.programme <> src.programme)
           AND NOT tsetp.role_sees_holder(NEW.requested_by, dst.holder) THEN
            PERFORM tsetp.registry_refuse(2001, pg_catalog.format('receiving account %s does not exist or cannot receive units', COALESCE(NEW.to_account, '(none)')),
                pg_catalog.format('This %s needs an existing, open receiving account of programme %s.', NEW.type, src.programme),
                'Check the account number with its holder.');
        ELSIF NOT FOUND THEN
            PERFORM tsetp.registry_refuse(2001, pg_catalog.format('receiving account %s does not exist', COALESCE(NEW.to_account, '(none)')),
                pg_catalog.format('This %s needs an existing receiving account.', NEW.type),
                'Check the account number (tsetp.account).');
        ELSIF dst.number = src.number THEN
            PERFORM tsetp.registry_refuse(2002, pg_catalog.format('account %s cannot transfer to itself', src.number),
                'The sending and the receiving account are the same.',
                'Give a different receiving account.');
        ELSIF dst.status = 'suspended' THEN
            PERFORM tsetp.registry_refuse(2003, pg_catalog.format('receiving account %s is suspended', dst.number),
                pg_catalog.format('Account %s of %s is suspended: nothing can enter it.', dst.number, dst.holder),
                'Ask the registry administrator to lift the suspension, or use another account.');
        ELSIF dst.status = 'closed' THEN
            PERFORM tsetp.registry_refuse(2004, pg_catalog.format('receiving account %s is closed', dst.number),
                pg_catalog.format('Account %s of %s was closed.', dst.number, dst.holder),
                'Use an open account.');
        ELSIF NEW.type = 'transfer' AND dst.programme <> src.programme THEN
            PERFORM tsetp.registry_refuse(2005, pg_catalog.format('account %s is in programme %s, not %s', dst.number, dst.programme, src.programme),
                'Transfers stay within one programme''s registry.',
                'Linked credits cross programmes by cancellation in one registry and issuance in the other.');
        END IF;
        NEW.programme := dst.programme;
    ELSIF NEW.to_account IS NOT NULL THEN
        PERFORM tsetp.registry_refuse(2001, pg_catalog.format('a %s has no receiving account', NEW.type),
            pg_catalog.format('Units that are %s stay where they are.',
                              CASE NEW.type WHEN 'surrender' THEN 'surrendered' WHEN 'retire' THEN 'retired' ELSE 'cancelled' END),
            'Leave to_account empty.');
    END IF;

    -- -----------------------------------------------------------------
    -- The programme's rules for this type of transaction.
    -- -----------------------------------------------------------------
    SELECT * INTO prog FROM tsetp.programme p WHERE p.code = NEW.programme;
    SELECT * INTO rule FROM tsetp.transaction_rule r WHERE r.programme = NEW.programme AND r.type = NEW.type;
    IF NOT FOUND THEN
        PERFORM tsetp.registry_refuse(5005, pg_catalog.format('programme %s does not offer %s transactions', NEW.programme, NEW.type),
            pg_catalog.format('tsetp.transaction_rule has no row for %s and %s.', NEW.programme, NEW.type),
            'Use a transaction type the programme offers.');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tsetp.account_route r
                    WHERE r.programme = NEW.programme AND r.type = NEW.type
                      AND r.from_type = COALESCE(src.account_type, 'none')
                      AND r.to_type = COALESCE(dst.account_type, 'none')) THEN
        PERFORM tsetp.registry_refuse(2006, pg_catalog.format('programme %s does not allow a %s from %s to %s accounts', NEW.programme, NEW.type,
                                                        COALESCE(src.account_type, 'no'), COALESCE(dst.account_type, 'no')),
            pg_catalog.format('tsetp.account_route has no row for this %s.', NEW.type),
            'Use an account of a type the programme allows.');
    END IF;
    IF rule.business_hours AND NOT tsetp.in_business_hours(NEW.programme, NEW.requested_at) THEN
        PERFORM tsetp.registry_refuse(5004, pg_catalog.format('%s requests are accepted only in business hours', NEW.type),
            pg_catalog.format('It is %s in %s; the %s registry accepts them %s.',
                              pg_catalog.to_char(NEW.requested_at AT TIME ZONE prog.timezone, 'Dy YYYY-MM-DD HH24:MI'), prog.timezone, NEW.programme,
                              (SELECT pg_catalog.format('%s-%s on ISO weekdays %s except registry holidays',
                                                                 pg_catalog.to_char(b.opens, 'HH24:MI'), pg_catalog.to_char(b.closes, 'HH24:MI'),
                                                                 pg_catalog.array_to_string(b.weekdays, ','))
                                 FROM tsetp.business_hours b WHERE b.programme = NEW.programme)),
            'Send the request again within business hours.');
    END IF;
    NEW.needs_approval := rule.needs_approval;

    -- The kind, and the block if one was given.
    IF NEW.block IS NOT NULL THEN
        IF NEW.kind IS NOT NULL AND NEW.kind <> tsetp.kind(NEW.block)
           OR NEW.amount IS NOT NULL AND want <> tsetp.tonnes(NEW.block) THEN
            PERFORM tsetp.registry_refuse(3008, pg_catalog.format('block %s is not %s', NEW.block,
                                                             CASE WHEN NEW.kind <> tsetp.kind(NEW.block) THEN 'of kind ' || NEW.kind
                                                                  ELSE NEW.amount::text || ' t' END),
                'Give either a block, or a kind and an amount.', 'Leave kind and amount empty when you give a block.');
        END IF;
        NEW.kind := tsetp.kind(NEW.block);
        want := tsetp.tonnes(NEW.block);
        NEW.amount := want::tsetp.tco2;
    ELSIF NEW.kind IS NULL OR want IS NULL THEN
        PERFORM tsetp.registry_refuse(3008, pg_catalog.format('a %s needs a block, or a kind and an amount', NEW.type),
            'The request does not say which units.', 'Give a block, or a kind and an amount.');
    END IF;
    -- An issue holds its kind's row, so that the kind is not re-marked as
    -- or from excess reduction before the issue commits (the marking is
    -- checked against the ledger, tsetp.credit_kind_check).
    IF NEW.type = 'issue' THEN
        SELECT * INTO ck FROM tsetp.credit_kind k WHERE k.programme = NEW.programme AND k.code = NEW.kind FOR SHARE;
    ELSE
        SELECT * INTO ck FROM tsetp.credit_kind k WHERE k.programme = NEW.programme AND k.code = NEW.kind;
    END IF;
    IF NOT FOUND THEN
        PERFORM tsetp.registry_refuse(3001, pg_catalog.format('programme %s has no credit kind %s', NEW.programme, NEW.kind),
            pg_catalog.format('Kinds of %s: %s.', NEW.programme,
                              (SELECT pg_catalog.string_agg(k.code, ', ' ORDER BY k.code) FROM tsetp.credit_kind k WHERE k.programme = NEW.programme)),
            'Use one of the programme''s credit kinds (tsetp.credit_kind).');
    END IF;

    -- -----------------------------------------------------------------
    -- Issue: allocate fresh serials (or import a given block).
    -- -----------------------------------------------------------------
    IF NEW.type = 'issue' THEN
        IF NEW.block IS NOT NULL THEN
            NEW.vintage := tsetp.vintage(NEW.block);
            NEW.source := tsetp.source(NEW.block);
        ELSIF NEW.vintage IS NULL OR NEW.source IS NULL THEN
            PERFORM tsetp.registry_refuse(3008, 'an issue needs a vintage and a source',
                'New credits carry the fiscal year and the facility or project they come from.',
                'Give vintage and source.');
        END IF;
        IF ck.excess_reduction THEN
            vp := tsetp.vintage_period(NEW.programme, NEW.vintage);
            IF vp IS NULL OR NEW.vintage::int - tsetp.lower((SELECT p.years FROM tsetp.plan_period p
                                                              WHERE p.programme = NEW.programme AND p.period_no = vp))::int + 1
                             < COALESCE(prog.excess_from_year, 1) THEN
                PERFORM tsetp.registry_refuse(3003, pg_catalog.format('excess reduction of vintage %s cannot be issued', NEW.vintage),
                    pg_catalog.format('Programme %s issues excess reduction only from year %s of a plan period on.', NEW.programme, prog.excess_from_year),
                    'Use tsetp.issue_excess, which issues for the verified years of the period.');
            END IF;
            -- Excess reduction exists only as this registry's engine computes
            -- it, however it is asked for (tsetp.issue_excess, tsetp.issue, an
            -- INSERT): of the programme's own origin (a linked registry's
            -- credits have their own kind), into the source facility's
            -- designated account, with the vintage of its latest verified
            -- year, and no more than the excess of the period's verified years
            -- minus what was issued already.
            IF NEW.block IS NOT NULL AND tsetp.origin(NEW.block) <> prog.credit_origin THEN
                PERFORM tsetp.registry_refuse(3011, pg_catalog.format('%s credits of origin %s cannot be issued in programme %s', NEW.kind, tsetp.origin(NEW.block), NEW.programme),
                    pg_catalog.format('Kind %s is the excess reduction this registry computes and issues itself (origin %s).', NEW.kind, prog.credit_origin),
                    'Issue a linked registry''s credits under their own kind (tsetp.credit_kind).');
            END IF;
            PERFORM tsetp.excess_guard_lock(NEW.programme, true);
            SELECT * INTO fac FROM tsetp.facility f WHERE f.programme = NEW.programme AND f.code = NEW.source;
            SELECT * INTO er FROM tsetp.facility_period_reduction x WHERE x.facility_id = fac.id AND x.period_no = vp;
            IF er.facility_id IS NULL THEN
                PERFORM tsetp.registry_refuse(4006, pg_catalog.format('%s of programme %s has no target for period %s', NEW.source, NEW.programme, vp),
                    pg_catalog.format('Excess reduction of vintage %s comes from a facility of %s covered in period %s; %s is not one.',
                                      NEW.vintage, NEW.programme, vp, NEW.source),
                    'Give the code of the facility whose reduction it is as source.');
            END IF;
            IF dst.facility_id IS DISTINCT FROM fac.id THEN
                PERFORM tsetp.registry_refuse(4010, pg_catalog.format('excess reduction of %s can only be issued to its designated account', fac.code),
                    pg_catalog.format('Account %s is not the designated account of facility %s.', dst.number, fac.code),
                    pg_catalog.format('Issue into %s; the facility may then transfer it.', tsetp.designated_account(fac.id)));
            END IF;
            -- The latest verified year: the verified emissions of every year
            -- up to it are then fixed while the issue stands (check 4013).
            IF er.last_verified_year IS NULL OR NEW.vintage OPERATOR(tsetp.<>) er.last_verified_year THEN
                PERFORM tsetp.registry_refuse(4011, pg_catalog.format('excess reduction of %s of vintage %s cannot be issued: its latest verified year is %s',
                                                                 fac.code, NEW.vintage, COALESCE(er.last_verified_year::text, 'none')),
                    pg_catalog.format('Excess reduction of period %s is issued for the verified years so far, with the vintage of the latest one.', vp),
                    'Use tsetp.issue_excess, which issues for the latest verified year.');
            END IF;
            SELECT COALESCE(pg_catalog.sum(s.amount::numeric), 0) INTO issued
              FROM tsetp.standing_excess s
             WHERE s.programme = NEW.programme AND s.source = fac.code AND s.period_no = vp;
            IF want > pg_catalog.floor(tsetp.issuable_excess(COALESCE(er.excess, '0'::tsetp.tco2), issued::tsetp.tco2)::numeric) THEN
                PERFORM tsetp.registry_refuse(4012, pg_catalog.format('%s t of excess reduction exceed what facility %s has left for period %s', want, fac.code, vp),
                    pg_catalog.format('Excess reduction of the verified years is %s t; %s t have been issued already.',
                                      COALESCE(er.excess, '0'::tsetp.tco2), issued),
                    'Issue with tsetp.issue_excess, which issues what is left in whole tonnes.');
            END IF;
        END IF;
        IF ck.own_facility_only AND (dst.facility_id IS NULL OR NEW.source IS DISTINCT FROM
                                     (SELECT f.code FROM tsetp.facility f WHERE f.id = dst.facility_id)) THEN
            PERFORM tsetp.registry_refuse(3010, pg_catalog.format('%s credits from %s can only be issued to that facility''s designated account', NEW.kind, NEW.source),
                pg_catalog.format('Kind %s counts only for the facility that made it; account %s is not its designated account.', NEW.kind, dst.number),
                'Issue into the designated account of the source facility.');
        END IF;
        -- The serial space is shared by every programme and kind: no one
        -- issue may take more of it than the programme's bound on a
        -- facility-year (max_tonnes), and an import (a given block, with
        -- another registry's serials) takes only its own serials: the
        -- counter does not jump past it; fresh serials skip the blocks in
        -- their way instead. Both hold the counter's row, so that an
        -- allocation sees every import committed before it.
        IF want > prog.max_tonnes::numeric THEN
            PERFORM tsetp.registry_refuse(3013, pg_catalog.format('an issue of %s t exceeds the bound of programme %s', want, NEW.programme),
                pg_catalog.format('Programme %s issues at most %s t in one transaction (max_tonnes).', NEW.programme, prog.max_tonnes),
                'Issue in several transactions, or check the amount.');
        END IF;
        IF NEW.block IS NULL THEN
            SELECT c.next_serial INTO first_s FROM tsetp.serial_counter c FOR UPDATE;
            first_s := tsetp.free_serials(first_s, want);
            UPDATE tsetp.serial_counter SET next_serial = first_s + want;
            NEW.block := tsetp.credit(prog.credit_origin, NEW.kind, NEW.vintage, NEW.source, first_s, first_s + want - 1);
        ELSE
            UPDATE tsetp.serial_counter SET next_serial = next_serial;
        END IF;
        INSERT INTO tsetp.holding (block, account, state, tx) VALUES (NEW.block, dst.number, 'free', NEW.id);
        NEW.blocks := ARRAY[NEW.block];
        NEW.needs_approval := false;
        RETURN NEW;
    END IF;

    -- -----------------------------------------------------------------
    -- Transfer, surrender, retire, cancel: rules on the units.
    -- -----------------------------------------------------------------
    IF NEW.type = 'transfer' AND NOT ck.transferable THEN
        PERFORM tsetp.registry_refuse(3002, pg_catalog.format('%s credits cannot be transferred', NEW.kind),
            pg_catalog.format('Kind %s (%s) stays in the account it was issued to.', NEW.kind, ck.name),
            'Surrender it for the facility that made it.');
    END IF;
    IF NEW.type = 'surrender' THEN
        SELECT * INTO fac FROM tsetp.facility f WHERE f.id = NEW.facility_id;
        -- For a facility of another operator (or none) the requester
        -- learns nothing about it: not its code, programme, coverage or
        -- designated account.
        IF NOT tsetp.role_sees_holder(NEW.requested_by, fac.operator) THEN
            PERFORM tsetp.registry_refuse(1006, pg_catalog.format('account %s cannot surrender for facility %s', src.number, NEW.facility_id),
                'Credits are surrendered for a facility whose operator you act for, from its designated account.',
                'Check the facility id (tsetp.facility).');
        END IF;
        SELECT * INTO pp FROM tsetp.plan_period p WHERE p.programme = fac.programme AND p.period_no = NEW.period_no;
        IF fac.programme <> NEW.programme OR pp.programme IS NULL
           OR tsetp.coverage_start(fac.id) IS NULL
           OR tsetp.coverage_start(fac.id) OPERATOR(tsetp.>) tsetp.upper(pp.years) THEN
            PERFORM tsetp.registry_refuse(4006, pg_catalog.format('facility %s has no target for period %s', fac.code, NEW.period_no),
                pg_catalog.format('Facility %s of %s is not covered in period %s of programme %s.', fac.code, fac.programme, NEW.period_no, NEW.programme),
                'Surrender for a period in which the facility is covered.');
        END IF;
        IF (NEW.requested_at AT TIME ZONE prog.timezone)::date > pp.deadline THEN
            PERFORM tsetp.registry_refuse(4005, pg_catalog.format('the deadline for period %s has passed', NEW.period_no),
                pg_catalog.format('Credits for period %s (%s) could be surrendered until %s.', NEW.period_no, pp.years, pp.deadline),
                'Surrender for the current period.');
        END IF;
        IF (src.account_type = 'designated' AND src.facility_id <> fac.id)
           OR (src.account_type <> 'designated' AND src.holder <> fac.operator) THEN
            PERFORM tsetp.registry_refuse(1006, pg_catalog.format('account %s cannot surrender for facility %s', src.number, fac.code),
                pg_catalog.format('Credits are surrendered from the facility''s own designated account; %s is held by %s.', src.number, src.holder),
                pg_catalog.format('Transfer the credits to %s first.', tsetp.designated_account(fac.id)));
        END IF;
    END IF;
    -- The sending account's guard is held (above): its balance for the
    -- reserve, then its blocks.
    IF NEW.type = 'transfer' AND src.commitment_reserve OPERATOR(tsetp.>) '0'::tsetp.tco2 THEN
        SELECT COALESCE(pg_catalog.sum(x.tonnes), 0) INTO got FROM tsetp.holding x
         WHERE x.account = src.number AND x.state = 'free';
        IF got - want < src.commitment_reserve::numeric THEN
            PERFORM tsetp.registry_refuse(1005, pg_catalog.format('transfer would bring account %s below its commitment reserve', src.number),
                pg_catalog.format('Account %s holds %s t free with a commitment reserve of %s t; %s t can be transferred.',
                                  src.number, got, src.commitment_reserve, GREATEST(got - src.commitment_reserve::numeric, 0)),
                'Transfer at most the units above the reserve.');
        END IF;
        got := 0;
    END IF;

    new_state := CASE WHEN NEW.needs_approval THEN 'reserved'
                      ELSE CASE NEW.type WHEN 'transfer' THEN 'free' WHEN 'surrender' THEN 'surrendered'
                                         WHEN 'retire' THEN 'retired' ELSE 'cancelled' END END;
    new_account := CASE WHEN NEW.type = 'transfer' AND NOT NEW.needs_approval THEN dst.number ELSE src.number END;

    IF NEW.block IS NOT NULL THEN
        -- The given serials: every holding they touch must be free in src.
        lo := tsetp.first_serial(NEW.block);
        hi := tsetp.last_serial(NEW.block);
        FOR h IN SELECT x.block, x.account, x.state, x.tx, x.first_serial
                   FROM tsetp.holding x
                  WHERE x.block OPERATOR(tsetp.&&) NEW.block
                  ORDER BY x.first_serial
                    FOR UPDATE LOOP
            IF h.account <> src.number OR NOT tsetp.same_line(h.block, NEW.block) THEN
                -- Whether the serials are held elsewhere, or by whom, is not
                -- the requester's business: the same wording as for serials
                -- that do not exist (below).
                PERFORM tsetp.registry_refuse(3004, pg_catalog.pg_has_role(NEW.requested_by, 'tsetp_admin', 'MEMBER'),
                    pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                    pg_catalog.format('Serials %s-%s of that line are not in account %s.',
                                      GREATEST(lo, tsetp.first_serial(h.block)), LEAST(hi, tsetp.last_serial(h.block)), src.number),
                    'Check the block with tsetp.balance or tsetp.holding.',
                    pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                    pg_catalog.format('Not every serial of the block is in account %s.', src.number),
                    'Check the block with tsetp.balance or tsetp.holding.');
            ELSIF h.state = 'reserved' THEN
                PERFORM tsetp.registry_refuse(3005, pg_catalog.format('block %s is reserved to pending transaction %s', h.block, h.tx),
                    pg_catalog.format('Serials of account %s wait for the approval of transaction %s.', src.number, h.tx),
                    'Wait for the decision on that transaction, or withdraw it (tsetp.withdraw).');
            ELSIF h.state <> 'free' THEN
                PERFORM tsetp.registry_refuse(3006, pg_catalog.format('block %s has been %s', h.block, h.state),
                    pg_catalog.format('Transaction %s %s these serials; they can no longer move.', h.tx,
                                      CASE h.state WHEN 'surrendered' THEN 'surrendered' WHEN 'retired' THEN 'retired' ELSE 'cancelled' END),
                    'Use other units.');
            END IF;
            piece := tsetp.credit(tsetp.origin(h.block), tsetp.kind(h.block), tsetp.vintage(h.block), tsetp.source(h.block),
                                  GREATEST(lo, tsetp.first_serial(h.block)), LEAST(hi, tsetp.last_serial(h.block)));
            UPDATE tsetp.holding x SET block = piece, account = new_account, state = new_state, tx = NEW.id
             WHERE x.first_serial = h.first_serial;
            IF tsetp.first_serial(h.block) < lo THEN
                INSERT INTO tsetp.holding (block, account, state, tx)
                VALUES (tsetp.credit(tsetp.origin(h.block), tsetp.kind(h.block), tsetp.vintage(h.block), tsetp.source(h.block),
                                     tsetp.first_serial(h.block), lo - 1), src.number, 'free', h.tx);
            END IF;
            IF tsetp.last_serial(h.block) > hi THEN
                INSERT INTO tsetp.holding (block, account, state, tx)
                VALUES (tsetp.credit(tsetp.origin(h.block), tsetp.kind(h.block), tsetp.vintage(h.block), tsetp.source(h.block),
                                     hi + 1, tsetp.last_serial(h.block)), src.number, 'free', h.tx);
            END IF;
            got := got + tsetp.tonnes(piece);
            taken := taken || piece;
        END LOOP;
        IF got < want THEN
            PERFORM tsetp.registry_refuse(3004, pg_catalog.pg_has_role(NEW.requested_by, 'tsetp_admin', 'MEMBER'),
                pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                pg_catalog.format('Only %s of its %s serials exist in the registry.', got, want),
                'Check the block with tsetp.balance or tsetp.holding.',
                pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                pg_catalog.format('Not every serial of the block is in account %s.', src.number),
                'Check the block with tsetp.balance or tsetp.holding.');
        END IF;
    ELSE
        -- By kind and amount: oldest vintage first, the last block split.
        FOR h IN SELECT x.block, x.first_serial, x.tonnes, x.tx, x.vintage::int AS vint
                   FROM tsetp.holding x
                  WHERE x.account = src.number AND x.kind = NEW.kind AND x.state = 'free'
                  ORDER BY x.vintage, x.first_serial
                    FOR UPDATE LOOP
            IF NEW.type IN ('transfer', 'surrender') AND (ck.excess_reduction OR NEW.type = 'surrender') THEN
                IF h.vint IS DISTINCT FROM last_vint THEN
                    last_vint := h.vint;
                    last_ok := 0;
                    vp := tsetp.vintage_period(NEW.programme, h.vint::tsetp.fiscal_year);
                    IF NEW.type = 'transfer' THEN
                        IF vp IS NULL OR h.vint - tsetp.lower((SELECT p.years FROM tsetp.plan_period p
                                                               WHERE p.programme = NEW.programme AND p.period_no = vp))::int + 1
                                         < COALESCE(prog.excess_from_year, 1) THEN
                            last_ok := 3003;
                        END IF;
                    ELSIF vp IS NULL THEN
                        last_ok := 4007;
                    ELSIF vp > NEW.period_no THEN
                        last_ok := 4001;
                    ELSIF NOT tsetp.banking_eligible(vp, NEW.period_no, prog.banking_periods) THEN
                        last_ok := 4002;
                    END IF;
                END IF;
                IF last_ok = 0 AND NEW.type = 'surrender' AND ck.own_facility_only
                   AND tsetp.source(h.block) <> fac.code THEN
                    skip_code := 4003;
                    skipped := skipped + h.tonnes;
                    CONTINUE;
                END IF;
                IF last_ok <> 0 THEN
                    skip_code := last_ok;
                    skip_detail := pg_catalog.format('vintage %s', h.vint::tsetp.fiscal_year);
                    skipped := skipped + h.tonnes;
                    CONTINUE;
                END IF;
            END IF;
            IF h.tonnes <= want - got THEN
                piece := h.block;
                UPDATE tsetp.holding x SET account = new_account, state = new_state, tx = NEW.id
                 WHERE x.first_serial = h.first_serial;
            ELSE
                piece := tsetp.split_head(h.block, want - got);
                UPDATE tsetp.holding x SET block = piece, account = new_account, state = new_state, tx = NEW.id
                 WHERE x.first_serial = h.first_serial;
                INSERT INTO tsetp.holding (block, account, state, tx)
                VALUES (tsetp.split_tail(h.block, want - got), src.number, 'free', h.tx);
            END IF;
            got := got + tsetp.tonnes(piece);
            taken := taken || piece;
            EXIT WHEN got = want;
        END LOOP;
        IF got < want THEN
            IF got + skipped >= want AND skip_code = 3003 THEN
                PERFORM tsetp.registry_refuse(3003, pg_catalog.format('excess reduction in account %s is not yet transferable', src.number),
                    pg_catalog.format('Programme %s lets excess reduction move only from year %s of its plan period; %s t of %s are earlier.',
                                      NEW.programme, prog.excess_from_year, skipped, skip_detail),
                    'Wait for the period''s transferable year, or transfer other units.');
            ELSIF got + skipped >= want AND skip_code = 4001 THEN
                PERFORM tsetp.registry_refuse(4001, pg_catalog.format('credits of a later period cannot cover period %s', NEW.period_no),
                    pg_catalog.format('Account %s has %s t of free %s of the right vintage; the rest (%s) belongs to a later period (no borrowing).',
                                      src.number, got, NEW.kind, skip_detail),
                    'Surrender credits of this period or the previous one.');
            ELSIF got + skipped >= want AND skip_code = 4002 THEN
                PERFORM tsetp.registry_refuse(4002, pg_catalog.format('credits of %s are too old for period %s', skip_detail, NEW.period_no),
                    pg_catalog.format('Programme %s carries credits into at most %s later period(s); account %s has only %s t of free %s that qualify.',
                                      NEW.programme, prog.banking_periods, src.number, got, NEW.kind),
                    'Surrender credits of this period or the previous one.');
            ELSIF got + skipped >= want AND skip_code = 4007 THEN
                PERFORM tsetp.registry_refuse(4007, pg_catalog.format('credits of %s fall outside every plan period of %s', skip_detail, NEW.programme),
                    pg_catalog.format('Account %s has only %s t of free %s that qualify for period %s.', src.number, got, NEW.kind, NEW.period_no),
                    'Surrender credits whose vintage lies in this period or the previous one.');
            ELSIF got + skipped >= want AND skip_code = 4003 THEN
                PERFORM tsetp.registry_refuse(4003, pg_catalog.format('%s credits of another facility cannot be surrendered for facility %s', NEW.kind, fac.code),
                    pg_catalog.format('Kind %s counts only for the facility that made it; account %s has only %s t from %s.', NEW.kind, src.number, got, fac.code),
                    'Surrender credits of another kind.');
            ELSE
                PERFORM tsetp.registry_refuse(1004, pg_catalog.format('account %s holds too few free %s credits', src.number, NEW.kind),
                    pg_catalog.format('Account %s holds %s t of free %s that qualify; %s t were requested.', src.number, got, NEW.kind, want),
                    'Request at most the free balance (tsetp.balance); units reserved to pending transactions are not free.');
            END IF;
        END IF;
    END IF;

    -- Surrender of a given block: the same rules, on its one line.
    IF NEW.type = 'surrender' AND NEW.block IS NOT NULL THEN
        vp := tsetp.vintage_period(NEW.programme, tsetp.vintage(NEW.block));
        IF vp IS NULL THEN
            PERFORM tsetp.registry_refuse(4007, pg_catalog.format('credits of vintage %s fall outside every plan period of %s', tsetp.vintage(NEW.block), NEW.programme),
                'Only credits whose vintage lies in a plan period can be surrendered.', 'Surrender credits whose vintage lies in this period or the previous one.');
        ELSIF vp > NEW.period_no THEN
            PERFORM tsetp.registry_refuse(4001, pg_catalog.format('credits of a later period cannot cover period %s', NEW.period_no),
                pg_catalog.format('Block %s is of period %s (no borrowing).', NEW.block, vp), 'Surrender credits of this period or the previous one.');
        ELSIF NOT tsetp.banking_eligible(vp, NEW.period_no, prog.banking_periods) THEN
            PERFORM tsetp.registry_refuse(4002, pg_catalog.format('credits of vintage %s are too old for period %s', tsetp.vintage(NEW.block), NEW.period_no),
                pg_catalog.format('Block %s is of period %s; programme %s carries credits into at most %s later period(s).', NEW.block, vp, NEW.programme, prog.banking_periods),
                'Surrender credits of this period or the previous one.');
        ELSIF ck.own_facility_only AND tsetp.source(NEW.block) <> fac.code THEN
            PERFORM tsetp.registry_refuse(4003, pg_catalog.format('%s credits of another facility cannot be surrendered for facility %s', NEW.kind, fac.code),
                pg_catalog.format('Block %s was made by %s; kind %s counts only for the facility that made it.', NEW.block, tsetp.source(NEW.block), NEW.kind),
                'Surrender credits of another kind.');
        END IF;
    ELSIF NEW.type = 'transfer' AND NEW.block IS NOT NULL AND ck.excess_reduction THEN
        vp := tsetp.vintage_period(NEW.programme, tsetp.vintage(NEW.block));
        IF vp IS NULL OR tsetp.vintage(NEW.block)::int - tsetp.lower((SELECT p.years FROM tsetp.plan_period p
                                                                       WHERE p.programme = NEW.programme AND p.period_no = vp))::int + 1
                         < COALESCE(prog.excess_from_year, 1) THEN
            PERFORM tsetp.registry_refuse(3003, pg_catalog.format('excess reduction in account %s is not yet transferable', src.number),
                pg_catalog.format('Programme %s lets excess reduction move only from year %s of its plan period; block %s is earlier.',
                                  NEW.programme, prog.excess_from_year, NEW.block),
                'Wait for the period''s transferable year, or transfer other units.');
        END IF;
    END IF;

    -- Per-kind caps on surrender (Tokyo: out-of-area credits at most 1/3 of the obligation).
    IF NEW.type = 'surrender' AND ck.cap_numerator IS NOT NULL THEN
        -- Surrenders of the kind for the facility and period may come from
        -- several accounts: they meet on one guard row before the sum.
        INSERT INTO tsetp.surrender_guard AS g (facility_id, period_no, kind)
        VALUES (NEW.facility_id, NEW.period_no, NEW.kind)
        ON CONFLICT (facility_id, period_no, kind) DO UPDATE SET touches = g.touches + 1;
        SELECT COALESCE(pg_catalog.sum(l.amount::numeric), 0) INTO lo
          FROM tsetp.ledger l
          JOIN tsetp.transaction_status s ON s.id = l.id
         WHERE l.facility_id = NEW.facility_id AND l.period_no = NEW.period_no AND l.type = 'surrender'
           AND l.kind = NEW.kind AND s.status IN ('requested', 'completed');
        hi := (SELECT pg_catalog.floor(r.target_total::numeric * ck.cap_numerator / ck.cap_denominator)
                 FROM tsetp.facility_period_reduction r
                WHERE r.facility_id = NEW.facility_id AND r.period_no = NEW.period_no);
        IF lo + want > COALESCE(hi, 0) THEN
            PERFORM tsetp.registry_refuse(4004, pg_catalog.format('%s credits for facility %s in period %s would exceed their cap', NEW.kind, fac.code, NEW.period_no),
                pg_catalog.format('At most %s/%s of the reduction obligation, %s t, may be met with %s; %s t are already surrendered or requested and %s t more were asked.',
                                  ck.cap_numerator, ck.cap_denominator, COALESCE(hi, 0), NEW.kind, lo, want),
                'Surrender other kinds for the rest.');
        END IF;
    END IF;

    NEW.blocks := taken;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.ledger_rules() IS
    'Trigger body called by tsetp.ledger_apply: checks a new ledger row against every registry rule (accounts, routes, business hours, kinds, serials, banking, caps, corrections), raises the documented refusal, and applies it to the holdings; see docs/checks.md';

CREATE OR REPLACE FUNCTION tsetp.approval_apply() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t    tsetp.ledger;
    a    tsetp.account;
    prog tsetp.programme;
    rule tsetp.transaction_rule;
    pp   tsetp.plan_period;
BEGIN
    -- A role that is not a tsetp_admin decides only on transactions of the
    -- holders it acts for, and only to withdraw: it learns nothing about
    -- any other transaction (not even whether it exists) and locks none.
    IF NOT pg_catalog.pg_has_role(NEW.decided_by, 'tsetp_admin', 'MEMBER') THEN
        IF NEW.decision IS DISTINCT FROM 'withdrawn' THEN
            PERFORM tsetp.registry_refuse(5002, pg_catalog.format('%s may not decide on transaction %s', NEW.decided_by, NEW.transaction_id),
                'Only a role holding tsetp_admin approves or rejects transactions.',
                'Ask the registry administrator.');
        END IF;
        IF NOT EXISTS (SELECT 1 FROM tsetp.ledger l
                         JOIN tsetp.account x ON x.number IN (l.from_account, l.to_account)
                        WHERE l.id = NEW.transaction_id AND tsetp.role_sees_holder(NEW.decided_by, x.holder)) THEN
            PERFORM tsetp.registry_refuse(5003, pg_catalog.format('transaction %s is not waiting for approval', NEW.transaction_id),
                pg_catalog.format('No transaction %s of the holders you act for waits for approval.', NEW.transaction_id),
                'See tsetp.ledger_report.');
        END IF;
    END IF;
    SELECT * INTO t FROM tsetp.ledger l WHERE l.id = NEW.transaction_id FOR UPDATE;
    IF NOT FOUND OR NOT t.needs_approval OR EXISTS (SELECT 1 FROM tsetp.approval x WHERE x.transaction_id = t.id) THEN
        PERFORM tsetp.registry_refuse(5003, pg_catalog.format('transaction %s is not waiting for approval', NEW.transaction_id),
            CASE WHEN t.id IS NULL THEN 'There is no such transaction.'
                 WHEN NOT t.needs_approval THEN 'It took effect when it was recorded.'
                 ELSE (SELECT pg_catalog.format('It was %s by %s at %s.', x.decision, x.decided_by, x.decided_at)
                         FROM tsetp.approval x WHERE x.transaction_id = t.id) END,
            'See tsetp.transaction_status.');
    END IF;
    -- The requester is a person (the login, requested_by_login), whatever
    -- role it acts as; what a role may do (tsetp_admin) is the acting role's.
    IF NEW.decision = 'withdrawn' THEN
        IF NEW.decided_by_login <> t.requested_by_login AND NOT pg_catalog.pg_has_role(NEW.decided_by, 'tsetp_admin', 'MEMBER') THEN
            PERFORM tsetp.registry_refuse(5009, pg_catalog.format('only %s can withdraw transaction %s', t.requested_by_login, t.id),
                pg_catalog.format('Login %s requested it; login %s (acting as %s) is not the requester, and %s is not a tsetp_admin.',
                                  t.requested_by_login, NEW.decided_by_login, NEW.decided_by, NEW.decided_by),
                'Ask the requester to withdraw it.');
        END IF;
    ELSE
        IF NOT pg_catalog.pg_has_role(NEW.decided_by, 'tsetp_admin', 'MEMBER') THEN
            PERFORM tsetp.registry_refuse(5002, pg_catalog.format('%s may not decide on transaction %s', NEW.decided_by, t.id),
                'Only a role holding tsetp_admin approves or rejects transactions.',
                'Ask the registry administrator.');
        END IF;
        -- Four-eyes: two people, i.e. two logins, whatever roles they act
        -- as (SET ROLE, group roles, SECURITY DEFINER functions).
        IF NEW.decision = 'approved' AND NEW.decided_by_login = t.requested_by_login THEN
            PERFORM tsetp.registry_refuse(5001, pg_catalog.format('login %s cannot approve its own transaction %s', NEW.decided_by_login, t.id),
                pg_catalog.format('Login %s requested it (as role %s) and approves it (as role %s); a transaction takes effect only when approved by another person, a login other than the requester''s (four-eyes).',
                                  t.requested_by_login, t.requested_by, NEW.decided_by),
                'Ask a tsetp_admin who logs in as another person to approve it.');
        END IF;
    END IF;
    IF NEW.decision = 'approved' THEN
        -- The accounts' guards before their status is read (tsetp.account_guard).
        PERFORM tsetp.account_guard_move(t.from_account, t.to_account);
        -- The approval makes the transaction take effect: the rules judged by
        -- the clock are judged again now, at the approval's statement
        -- (NEW.decided_at, stamped by tsetp.registry_stamp), not at the
        -- request or the start of the approving transaction.
        SELECT * INTO prog FROM tsetp.programme p WHERE p.code = t.programme;
        SELECT * INTO rule FROM tsetp.transaction_rule r WHERE r.programme = t.programme AND r.type = t.type;
        IF rule.business_hours AND NOT tsetp.in_business_hours(t.programme, NEW.decided_at) THEN
            PERFORM tsetp.registry_refuse(5004, pg_catalog.format('%s transactions take effect only in business hours', t.type),
                pg_catalog.format('Approving transaction %s would make it take effect at %s in %s; the %s registry accepts %s transactions %s.',
                                  t.id, pg_catalog.to_char(NEW.decided_at AT TIME ZONE prog.timezone, 'Dy YYYY-MM-DD HH24:MI'), prog.timezone, t.programme, t.type,
                                  (SELECT pg_catalog.format('%s-%s on ISO weekdays %s except registry holidays',
                                                            pg_catalog.to_char(b.opens, 'HH24:MI'), pg_catalog.to_char(b.closes, 'HH24:MI'),
                                                            pg_catalog.array_to_string(b.weekdays, ','))
                                     FROM tsetp.business_hours b WHERE b.programme = t.programme)),
                'Approve it again within business hours.');
        END IF;
        IF t.type = 'surrender' THEN
            SELECT * INTO pp FROM tsetp.plan_period p WHERE p.programme = t.programme AND p.period_no = t.period_no;
            IF (NEW.decided_at AT TIME ZONE prog.timezone)::date > pp.deadline THEN
                PERFORM tsetp.registry_refuse(4005, pg_catalog.format('the deadline for period %s has passed', t.period_no),
                    pg_catalog.format('Transaction %s would take effect on %s; credits for period %s (%s) could be surrendered until %s.',
                                      t.id, (NEW.decided_at AT TIME ZONE prog.timezone)::date, t.period_no, pp.years, pp.deadline),
                    'Reject the surrender; a surrender approved after the deadline does not count.');
            END IF;
        END IF;
        SELECT * INTO a FROM tsetp.account x WHERE x.number = t.from_account;
        IF a.status <> 'open' THEN
            PERFORM tsetp.registry_refuse(CASE a.status WHEN 'suspended' THEN 1002 ELSE 1003 END,
                pg_catalog.format('sending account %s is %s', a.number, a.status),
                pg_catalog.format('Account %s of %s was %s after transaction %s was requested.', a.number, a.holder, a.status, t.id),
                'Reject the transaction, or lift the suspension first.');
        END IF;
        IF t.to_account IS NOT NULL THEN
            SELECT * INTO a FROM tsetp.account x WHERE x.number = t.to_account;
            IF a.status <> 'open' THEN
                PERFORM tsetp.registry_refuse(CASE a.status WHEN 'suspended' THEN 2003 ELSE 2004 END,
                    pg_catalog.format('receiving account %s is %s', a.number, a.status),
                    pg_catalog.format('Account %s of %s was %s after transaction %s was requested.', a.number, a.holder, a.status, t.id),
                    'Reject the transaction, or lift the suspension first.');
            END IF;
        END IF;
        UPDATE tsetp.holding x
           SET account = COALESCE(t.to_account, x.account),
               state = CASE t.type WHEN 'transfer' THEN 'free' WHEN 'surrender' THEN 'surrendered' ELSE 'retired' END
         WHERE x.tx = t.id AND x.state = 'reserved';
    ELSE
        UPDATE tsetp.holding x SET state = 'free' WHERE x.tx = t.id AND x.state = 'reserved';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.approval_apply() IS
    'Trigger: checks a decision on a pending transaction (four-eyes approval by a tsetp_admin of another login, in business hours and before the deadline at the approval; rejection; withdrawal by the requester''s login) and applies or releases its reserved units';

CREATE OR REPLACE FUNCTION tsetp.issue_excess_all_apply(programme text, period_no int)
    RETURNS TABLE (facility_id bigint, block tsetp.credit)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p        tsetp.programme;
    pp       tsetp.plan_period;
    rule     tsetp.transaction_rule;
    ids      bigint[];
    accts    text[];
    codes    text[];
    vints    tsetp.fiscal_year[];
    amounts  bigint[];
    total    bigint;
    skipped  text;
    nskipped int;
    first_s  bigint;
    ekind    text;
BEGIN
    SELECT * INTO p FROM tsetp.programme x WHERE x.code = $1;
    SELECT * INTO pp FROM tsetp.plan_period x WHERE x.programme = $1 AND x.period_no = $2;
    IF pp.programme IS NULL THEN
        PERFORM tsetp.registry_refuse(4006, pg_catalog.format('programme %s has no period %s', $1, $2),
            pg_catalog.format('tsetp.plan_period has no row for programme %s and period %s.', $1, $2),
            'Issue excess reduction for a plan period of the programme.');
    END IF;

    -- The checks of tsetp.ledger_rules() that are the same for every row:
    -- issuance of ER into designated accounts, now.
    SELECT * INTO rule FROM tsetp.transaction_rule r WHERE r.programme = $1 AND r.type = 'issue';
    IF NOT FOUND THEN
        PERFORM tsetp.registry_refuse(5005, pg_catalog.format('programme %s does not offer %s transactions', $1, 'issue'),
            pg_catalog.format('tsetp.transaction_rule has no row for %s and %s.', $1, 'issue'),
            'Use a transaction type the programme offers.');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tsetp.account_route r
                    WHERE r.programme = $1 AND r.type = 'issue' AND r.from_type = 'none' AND r.to_type = 'designated') THEN
        PERFORM tsetp.registry_refuse(2006, pg_catalog.format('programme %s does not allow a %s from %s to %s accounts', $1, 'issue', 'no', 'designated'),
            'tsetp.account_route has no row for this issue.',
            'Use an account of a type the programme allows.');
    END IF;
    IF rule.business_hours AND NOT tsetp.in_business_hours($1, tsetp.clock()) THEN
        PERFORM tsetp.registry_refuse(5004, 'issue requests are accepted only in business hours',
            pg_catalog.format('It is %s in %s, outside the business hours of the %s registry.',
                              pg_catalog.to_char(tsetp.clock() AT TIME ZONE p.timezone, 'Dy YYYY-MM-DD HH24:MI'), p.timezone, $1),
            'Send the request again within business hours.');
    END IF;
    ekind := tsetp.excess_kind($1);

    -- One issuer of the programme's excess at a time (as the single version).
    PERFORM tsetp.excess_guard_lock($1, true);

    -- What each facility gets, by the rules of the single version: covered
    -- in the period with a designated account; the latest verified year of
    -- the period at least its excess_from_year-th year (the vintage; taken
    -- from the covered years, which gives the single version's year whenever
    -- there is excess to issue: years before coverage come before the
    -- covered ones and earn no excess); the
    -- cumulative excess of the verified years minus the completed,
    -- unreversed issues of its excess of the period, in whole tonnes; at
    -- least one tonne. Designated accounts that are not open are skipped
    -- (the row checks would refuse them, 2003/2004) with a warning.
    SELECT pg_catalog.array_agg(c.facility_id ORDER BY c.facility_id) FILTER (WHERE c.status = 'open'),
           pg_catalog.array_agg(c.number ORDER BY c.facility_id) FILTER (WHERE c.status = 'open'),
           pg_catalog.array_agg(c.code ORDER BY c.facility_id) FILTER (WHERE c.status = 'open'),
           pg_catalog.array_agg(c.last_fy ORDER BY c.facility_id) FILTER (WHERE c.status = 'open'),
           pg_catalog.array_agg(c.tonnes ORDER BY c.facility_id) FILTER (WHERE c.status = 'open'),
           pg_catalog.sum(c.tonnes) FILTER (WHERE c.status = 'open'),
           pg_catalog.count(*) FILTER (WHERE c.status <> 'open'),
           pg_catalog.string_agg(pg_catalog.format('%s (account %s is %s)', c.code, c.number, c.status), ', '
                                 ORDER BY c.facility_id) FILTER (WHERE c.status <> 'open')
      INTO ids, accts, codes, vints, amounts, total, nskipped, skipped
      FROM (SELECT r.facility_id, f.code, a.number, a.status, r.last_verified_year AS last_fy,
                   pg_catalog.floor(tsetp.issuable_excess(COALESCE(r.excess, '0'::tsetp.tco2),
                                                          COALESCE(i.issued, 0)::tsetp.tco2)::numeric)::bigint AS tonnes
              FROM tsetp.facility_period_reduction r
              JOIN tsetp.facility f ON f.id = r.facility_id
              JOIN tsetp.account a ON a.facility_id = r.facility_id
              LEFT JOIN (SELECT s.source, pg_catalog.sum(s.amount::numeric) AS issued
                           FROM tsetp.standing_excess s
                          WHERE s.programme = $1 AND s.period_no = $2
                          GROUP BY s.source) i ON i.source = f.code
             WHERE r.programme = $1 AND r.period_no = $2 AND f.programme = $1
               AND r.last_verified_year::int - tsetp.lower(pp.years)::int + 1 >= COALESCE(p.excess_from_year, 1)) c
     WHERE c.tonnes >= 1;
    IF nskipped > 0 THEN
        RAISE WARNING 'excess reduction of % facilities of programme % was not issued: their designated accounts are not open', nskipped, $1
            USING DETAIL = 'Not issued: ' || skipped || '.',
                  HINT = 'Reopen the accounts and call tsetp.issue_excess(facility_id, period_no) for each.';
    END IF;
    IF total IS NULL THEN
        RETURN;
    END IF;

    -- The serials, set-wise: one run of free serials (past any imported
    -- block in the way, as the single version), one move of the counter,
    -- a running sum.
    SELECT c.next_serial INTO first_s FROM tsetp.serial_counter c FOR UPDATE;
    first_s := tsetp.free_serials(first_s, total);
    UPDATE tsetp.serial_counter SET next_serial = first_s + total;

    -- One INSERT into the ledger (the rows as the single version's, with
    -- what its triggers would set), one into the holdings.
    RETURN QUERY
    WITH plan AS (
        SELECT u.facility_id, u.account, u.code, u.vintage, u.tonnes,
               (first_s + pg_catalog.sum(u.tonnes) OVER (ORDER BY u.ord) - u.tonnes)::bigint AS first_serial
          FROM UNNEST(ids, accts, codes, vints, amounts) WITH ORDINALITY  -- syntax (ROWS FROM), not a function
               AS u(facility_id, account, code, vintage, tonnes, ord)
    ), issued AS (
        INSERT INTO tsetp.ledger AS l (type, to_account, kind, vintage, source, amount, note,
                                       block, programme, blocks, needs_approval)
        SELECT 'issue', x.account, ekind, x.vintage, x.code, x.tonnes::numeric::tsetp.tco2,
               pg_catalog.format('Excess reduction of period %s, verified years to %s', $2, x.vintage),
               b.block, $1, ARRAY[b.block], false
          FROM plan x
         CROSS JOIN LATERAL (SELECT tsetp.credit(p.credit_origin, ekind, x.vintage, x.code,
                                                 x.first_serial, x.first_serial + x.tonnes - 1)) AS b(block)
         ORDER BY x.first_serial
        RETURNING l.id, l.block, l.to_account
    ), held AS (
        INSERT INTO tsetp.holding (block, account, state, tx)
        SELECT i.block, i.to_account, 'free', i.id FROM issued i
    )
    SELECT x.facility_id, i.block
      FROM plan x
      JOIN issued i ON tsetp.first_serial(i.block) = x.first_serial
     ORDER BY x.first_serial;
END
$$;
COMMENT ON FUNCTION tsetp.issue_excess_all_apply(text, int) IS
    'Internal to tsetp.issue_excess_all(programme, period_no): computes, checks and writes the set-wise issuance of a programme''s excess reduction for a period; executable only by the extension''s owner, and applied only while that C function has marked the call';

CREATE OR REPLACE FUNCTION tsetp.excess_guard_lock(programme text, exclusive boolean) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- A programme without a kind of excess reduction issues none: nothing
    -- to guard (its issuers are refused by tsetp.excess_kind).
    IF NOT EXISTS (SELECT 1 FROM tsetp.credit_kind k WHERE k.programme = $1 AND k.excess_reduction) THEN
        RETURN;
    END IF;
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        PERFORM tsetp.registry_refuse(4015, pg_catalog.format('excess reduction and what it rests on change only in READ COMMITTED transactions, not %s',
                                                         pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
            'Issuing excess reduction, and changing the verified emissions or base it is computed from, must read what other transactions committed before.',
            'Run it in a READ COMMITTED transaction (the default).');
    END IF;
    INSERT INTO tsetp.issuance_guard (programme) VALUES ($1) ON CONFLICT DO NOTHING;
    IF exclusive THEN
        PERFORM 1 FROM tsetp.issuance_guard g WHERE g.programme = $1 FOR UPDATE;
    ELSE
        PERFORM 1 FROM tsetp.issuance_guard g WHERE g.programme = $1 FOR SHARE;
    END IF;
END
$$;
COMMENT ON FUNCTION tsetp.excess_guard_lock(text, boolean) IS
    'Takes the programme''s issuance lock (exclusive for issuers of excess reduction, shared for changes of what it rests on), in READ COMMITTED only (check 4015); nothing for a programme without a kind of excess reduction';

REVOKE EXECUTE ON FUNCTION tsetp.excess_guard_lock(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tsetp.excess_guard_lock(text, boolean) TO tsetp_admin;


-- == What issued credits rest on; the designated account's holder =========
-- The holder history (a row per holder of each account, from when to
-- when), started with the holder every account has now (who opened it is
-- not known: changed_by NULL).

CREATE TABLE tsetp.account_holder_history (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account    text NOT NULL REFERENCES tsetp.account ON UPDATE CASCADE,
    holder     text NOT NULL CHECK (holder <> ''),
    valid_from timestamptz NOT NULL,
    valid_to   timestamptz,
    changed_by name,
    changed_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE UNIQUE INDEX account_holder_history_current ON tsetp.account_holder_history (account) WHERE valid_to IS NULL;
COMMENT ON TABLE tsetp.account_holder_history IS
    'Holders of each account over time (a designated account follows its facility''s operator): written by the registry when an account is opened or its holder changes';
COMMENT ON COLUMN tsetp.account_holder_history.valid_from IS 'Registry time (tsetp.clock()) from which holder held the account: its opening, or the change';
COMMENT ON COLUMN tsetp.account_holder_history.valid_to IS 'Registry time of the next change of holder; NULL for the holder now';
COMMENT ON COLUMN tsetp.account_holder_history.changed_by IS 'Login (session user) that opened the account or changed its holder; NULL for holders recorded when a database was updated to 2.0';
COMMENT ON COLUMN tsetp.account_holder_history.changed_at IS 'Time of the transaction that made the change';
COMMENT ON INDEX tsetp.account_holder_history_current IS 'An account has one current holder';

SELECT pg_catalog.pg_extension_config_dump('tsetp.account_holder_history', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('tsetp.account_holder_history', 'id')::regclass, '');
INSERT INTO tsetp.account_holder_history (account, holder, valid_from, changed_by)
SELECT a.number, a.holder, a.opened_at, NULL FROM tsetp.account a ORDER BY a.number;

CREATE OR REPLACE FUNCTION tsetp.account_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fac tsetp.facility;
    n   bigint;
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
        PERFORM tsetp.registry_refuse(1009, 'registry accounts cannot be deleted',
            'Accounts and their history are kept for good.',
            'Close the account instead: UPDATE tsetp.account SET status = ''closed''.');
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- Numbers come from the registry's running number only: a number
        -- chosen by a client could later be the one the registry gives.
        IF NEW.number IS NOT NULL THEN
            PERFORM tsetp.registry_refuse(1010, pg_catalog.format('account number %s cannot be chosen', NEW.number),
                'The registry numbers accounts when they are opened.',
                'Leave number empty (or call tsetp.open_account); the new number is returned by RETURNING number.');
        END IF;
        IF NEW.facility_id IS NOT NULL THEN
            SELECT * INTO fac FROM tsetp.facility f WHERE f.id = NEW.facility_id;
            IF FOUND THEN
                NEW.programme := COALESCE(NEW.programme, fac.programme);
                NEW.holder := COALESCE(NEW.holder, fac.operator);
                NEW.account_type := COALESCE(NEW.account_type, 'designated');
                IF NEW.holder <> fac.operator THEN
                    PERFORM tsetp.registry_refuse(1015, pg_catalog.format('the designated account of facility %s is held by its operator', fac.code),
                        pg_catalog.format('Facility %s is operated by %s; the account was to be opened for %s.', fac.code, fac.operator, NEW.holder),
                        'Leave holder empty: it is taken from the facility''s operator.');
                END IF;
                IF NEW.programme <> fac.programme THEN
                    PERFORM tsetp.registry_refuse(2005, 'designated account must be in the facility''s programme',
                        pg_catalog.format('Facility %s is in programme %s, not %s.', fac.code, fac.programme, NEW.programme),
                        'Leave programme empty: it is taken from the facility.');
                END IF;
            END IF;
        END IF;
        NEW.account_type := COALESCE(NEW.account_type, 'general');
        NEW.opened_at := tsetp.clock();
        IF NEW.programme IS NOT NULL THEN
            n := pg_catalog.nextval('tsetp.account_number_seq');
            NEW.number := (SELECT p.credit_origin FROM tsetp.programme p WHERE p.code = NEW.programme)
                || CASE NEW.account_type WHEN 'designated' THEN '-D' ELSE '-G' END
                || pg_catalog.lpad(n::text, 6, '0');
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.number <> OLD.number OR NEW.programme <> OLD.programme OR NEW.account_type <> OLD.account_type
       OR NEW.facility_id IS DISTINCT FROM OLD.facility_id OR NEW.opened_at <> OLD.opened_at THEN
        PERFORM tsetp.registry_refuse(1009, pg_catalog.format('account %s cannot change its number, programme, type or facility', OLD.number),
            'An account''s identity is fixed when it is opened.',
            'Open a new account and transfer the units.');
    END IF;
    -- A designated account is held by its facility's operator: its holder
    -- changes only with the operator (tsetp.facility_operator_changed). The
    -- facility row is locked so that a concurrent change of operator waits.
    IF NEW.holder <> OLD.holder AND OLD.facility_id IS NOT NULL THEN
        SELECT * INTO fac FROM tsetp.facility f WHERE f.id = OLD.facility_id FOR SHARE;
        IF NEW.holder <> fac.operator THEN
            PERFORM tsetp.registry_refuse(1015, pg_catalog.format('the holder of designated account %s is the operator of facility %s', OLD.number, fac.code),
                pg_catalog.format('Facility %s is operated by %s; the account cannot be held by %s.', fac.code, fac.operator, NEW.holder),
                'Change the facility''s operator (UPDATE tsetp.facility SET operator = ...): its designated account follows.');
        END IF;
    END IF;
    -- A change of status or reserve waits for (or, outside READ COMMITTED,
    -- conflicts with) every movement into or out of the account, so that the
    -- check below sees them all (tsetp.account_guard).
    IF NEW.status <> OLD.status OR NEW.commitment_reserve OPERATOR(tsetp.<>) OLD.commitment_reserve THEN
        PERFORM tsetp.account_guard_touch(ARRAY[OLD.number]);
    END IF;
    IF OLD.status = 'closed' AND NEW.status <> 'closed' THEN
        PERFORM tsetp.registry_refuse(1003, pg_catalog.format('account %s is closed for good', OLD.number),
            pg_catalog.format('Account %s was closed.', OLD.number),
            'Open a new account.');
    END IF;
    IF NEW.status = 'closed' AND OLD.status <> 'closed' AND EXISTS (
            SELECT 1 FROM tsetp.holding h WHERE h.account = OLD.number AND h.state IN ('free', 'reserved')) THEN
        PERFORM tsetp.registry_refuse(1008, pg_catalog.format('account %s still holds units', OLD.number),
            pg_catalog.format('Account %s holds %s t that would be stranded.', OLD.number,
                (SELECT pg_catalog.sum(h.tonnes) FROM tsetp.holding h WHERE h.account = OLD.number AND h.state IN ('free', 'reserved'))),
            'Transfer, retire or cancel the units first, and withdraw pending requests.');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.account_check() IS
    'Trigger: numbers new accounts, fills in a designated account from its facility, keeps an account''s identity fixed, closes only empty accounts, never deletes';

CREATE FUNCTION tsetp.account_holder_log() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.holder = OLD.holder THEN
            RETURN NULL;
        END IF;
        UPDATE tsetp.account_holder_history h SET valid_to = tsetp.clock()
         WHERE h.account = NEW.number AND h.valid_to IS NULL;
    END IF;
    INSERT INTO tsetp.account_holder_history (account, holder, valid_from, changed_by)
    VALUES (NEW.number, NEW.holder, CASE TG_OP WHEN 'INSERT' THEN NEW.opened_at ELSE tsetp.clock() END,
            pg_catalog.session_user());
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.account_holder_log() IS
    'Trigger: records the holder of a new account, and each change of holder, in tsetp.account_holder_history';

CREATE TRIGGER account_holder_log AFTER INSERT OR UPDATE OF holder ON tsetp.account
    FOR EACH ROW EXECUTE FUNCTION tsetp.account_holder_log();

CREATE FUNCTION tsetp.facility_operator_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE tsetp.account a SET holder = NEW.operator
     WHERE a.facility_id = NEW.id AND a.holder <> NEW.operator;
    INSERT INTO tsetp.approval (transaction_id, decision, reason)
    SELECT l.id, 'rejected',
           pg_catalog.format('The operator of facility %s changed from %s to %s; the requester does not act for the new holder of account %s.',
                             NEW.code, OLD.operator, NEW.operator, l.from_account)
      FROM tsetp.ledger l
      JOIN tsetp.account a ON a.number = l.from_account AND a.facility_id = NEW.id
     WHERE l.needs_approval
       AND NOT EXISTS (SELECT 1 FROM tsetp.approval x WHERE x.transaction_id = l.id)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles q
                        WHERE q.rolname = l.requested_by
                          AND (pg_catalog.pg_has_role(q.oid, 'tsetp_admin', 'MEMBER')
                               OR EXISTS (SELECT 1 FROM tsetp.holder_member m
                                            JOIN pg_catalog.pg_roles r ON r.rolname = m.member
                                           WHERE m.holder = NEW.operator
                                             AND pg_catalog.pg_has_role(q.oid, r.oid, 'MEMBER'))))
     ORDER BY l.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.facility_operator_changed() IS
    'Trigger: a change of a facility''s operator makes the new operator the holder of its designated account (history in tsetp.account_holder_history) and rejects the account''s pending requests whose requester does not act for the new holder';

CREATE TRIGGER facility_operator_changed AFTER UPDATE OF operator ON tsetp.facility
    FOR EACH ROW WHEN (OLD.operator IS DISTINCT FROM NEW.operator)
    EXECUTE FUNCTION tsetp.facility_operator_changed();


-- A designated account whose holder is not its facility's operator (a
-- state 1.2 let a client store) is re-held by the operator, with a warning
-- naming it; its pending requests stay for the registry to decide.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT a.number, a.holder, f.code, f.operator
               FROM tsetp.account a JOIN tsetp.facility f ON f.id = a.facility_id
              WHERE a.holder <> f.operator ORDER BY a.number LOOP
        RAISE WARNING 'designated account % of facility % was held by %, not its operator %: now held by %',
            r.number, r.code, r.holder, r.operator, r.operator
            USING DETAIL = 'Version 2.0 keeps a designated account''s holder equal to its facility''s operator (check 1015).',
                  HINT = 'See tsetp.account_holder_history; decide the account''s pending requests.';
        UPDATE tsetp.account a SET holder = r.operator WHERE a.number = r.number;
    END LOOP;
END
$$;

-- Credit kinds: re-marking takes the issuance lock; no TRUNCATE.

CREATE OR REPLACE FUNCTION tsetp.credit_kind_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM tsetp.ledger l) THEN
            PERFORM tsetp.registry_refuse(3012, 'credit kinds cannot be truncated: the ledger holds transactions of them',
                'Its transactions, and the excess reduction issued of it, are read by its code and marking.',
                'Change kinds row by row.');
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.code = OLD.code AND NEW.programme = OLD.programme
       AND NEW.excess_reduction = OLD.excess_reduction THEN
        RETURN NEW;
    END IF;
    -- Under the programme's issuance lock: an issue of the kind running at
    -- the same time is either seen below or reads the new marking.
    PERFORM tsetp.excess_guard_lock(OLD.programme, false);
    IF EXISTS (SELECT 1 FROM tsetp.ledger l WHERE l.programme = OLD.programme AND l.kind = OLD.code) THEN
        PERFORM tsetp.registry_refuse(3012, pg_catalog.format('credit kind %s of %s cannot be removed, renamed or re-marked: the ledger holds transactions of it', OLD.code, OLD.programme),
            'Its transactions, and the excess reduction issued of it, are read by its code and marking.',
            'Change its name, limits or transferability instead, or add a new kind.');
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION tsetp.credit_kind_check() IS
    'Trigger: refuses to delete, rename or re-mark (excess_reduction) a credit kind that ledger transactions use, or to truncate the kinds while the ledger holds any transaction (check 3012)';

CREATE TRIGGER credit_kind_no_truncate BEFORE TRUNCATE ON tsetp.credit_kind
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.credit_kind_check();


-- The configuration excess reduction is computed with (checks 4018-4021).

CREATE FUNCTION tsetp.config_under_issue() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    code  int;
    free  text[];
    r     jsonb;
    progs text[];
    hit   record;
BEGIN
    code := CASE TG_TABLE_NAME WHEN 'programme' THEN 4018 WHEN 'plan_period' THEN 4019
                 WHEN 'target_rate' THEN 4020 WHEN 'transitional_rate' THEN 4020 WHEN 'relief' THEN 4020
                 ELSE 4021 END;
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM tsetp.excess_guard_lock(k.programme, false)
           FROM (SELECT DISTINCT k.programme FROM tsetp.credit_kind k WHERE k.excess_reduction ORDER BY 1) k;
        SELECT s.id, s.programme INTO hit FROM tsetp.standing_excess s ORDER BY s.id LIMIT 1;
        IF FOUND THEN
            PERFORM tsetp.registry_refuse(code, pg_catalog.format('%s cannot be truncated: excess reduction computed with it stands', TG_TABLE_NAME),
                pg_catalog.format('Transaction %s issued excess reduction of programme %s computed with the configuration.', hit.id, hit.programme),
                'Reverse the issues that rest on it first (tsetp.correct), or change it row by row where no issue stands.');
        END IF;
        RETURN NULL;
    END IF;
    free := CASE TG_TABLE_NAME
              WHEN 'programme' THEN '{name,name_ja,timezone,penalty_factor,banking_periods,excess_from_year,seeded}'::text[]
              WHEN 'plan_period' THEN '{deadline,seeded}'::text[]
              ELSE '{name,name_ja,explanation,seeded}'::text[] END;
    IF TG_OP = 'UPDATE' AND (pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.-) free)
                            = (pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.-) free) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND TG_TABLE_NAME IN ('category', 'certification_kind') THEN
        RETURN NEW;
    END IF;
    -- The row before and the row after (OLD is NULL on INSERT, NEW on DELETE).
    FOR r IN SELECT x FROM pg_catalog.unnest(ARRAY[pg_catalog.to_jsonb(OLD), pg_catalog.to_jsonb(NEW)]) AS x
              WHERE x IS NOT NULL LOOP
        IF TG_TABLE_NAME = 'certification_kind' THEN
            progs := ARRAY(SELECT DISTINCT x.programme FROM tsetp.relief x WHERE x.kind = r->>'code' ORDER BY 1);
        ELSE
            progs := ARRAY[CASE TG_TABLE_NAME WHEN 'programme' THEN r->>'code' ELSE r->>'programme' END];
        END IF;
        PERFORM tsetp.excess_guard_lock(p, false) FROM pg_catalog.unnest(progs) AS p;
        SELECT s.id, s.programme, s.source, s.period_no, s.vintage INTO hit
          FROM tsetp.standing_excess s
         WHERE s.programme = ANY (progs)
           AND CASE TG_TABLE_NAME
                 WHEN 'plan_period' THEN
                      s.period_no = (r->>'period_no')::int
                   OR s.vintage OPERATOR(tsetp.<@) (r->>'years')::tsetp.fiscal_period
                   OR NOT EXISTS (SELECT 1 FROM tsetp.plan_period pp
                                   WHERE pp.programme = s.programme AND pp.period_no < (r->>'period_no')::int)
                 WHEN 'target_rate' THEN
                      s.period_no = (r->>'period_no')::int
                  AND EXISTS (SELECT 1 FROM tsetp.facility f
                               WHERE f.programme = s.programme AND f.code = s.source AND f.category = r->>'category')
                 WHEN 'transitional_rate' THEN
                      s.period_no = (r->>'period_no')::int
                  AND EXISTS (SELECT 1 FROM tsetp.facility f
                               WHERE f.programme = s.programme AND f.code = s.source AND f.category = r->>'category')
                 WHEN 'relief' THEN s.period_no = (r->>'period_no')::int
                 WHEN 'category' THEN
                      EXISTS (SELECT 1 FROM tsetp.facility f
                               WHERE f.programme = s.programme AND f.code = s.source AND f.category = r->>'code')
                 WHEN 'certification_kind' THEN
                      EXISTS (SELECT 1 FROM tsetp.relief x
                               WHERE x.programme = s.programme AND x.period_no = s.period_no AND x.kind = r->>'code')
                 ELSE true
               END
         ORDER BY s.id
         LIMIT 1;
        IF FOUND THEN
            PERFORM tsetp.registry_refuse(code,
                pg_catalog.format('%s of programme %s cannot be %s: excess reduction computed with it stands',
                                  pg_catalog.replace(TG_TABLE_NAME, '_', ' '), hit.programme,
                                  CASE TG_OP WHEN 'INSERT' THEN 'added' WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END),
                pg_catalog.format('Transaction %s issued excess reduction of %s for period %s (verified years up to %s), computed with the %s in force then.',
                                  hit.id, hit.source, hit.period_no, hit.vintage, pg_catalog.replace(TG_TABLE_NAME, '_', ' ')),
                pg_catalog.format('Reverse the issues that rest on it first (tsetp.correct(%s, reason)), then make the change and issue again.', hit.id));
        END IF;
    END LOOP;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION tsetp.config_under_issue() IS
    'Trigger on the configuration the engine computes excess reduction with: refuses to add, change or delete a row of a programme, plan period, rate, ladder rung, relief, category, certification kind, revision ground or standard intensity while excess reduction computed with it stands, and to truncate these tables while any stands (checks 4018-4021)';

CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.programme
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.programme
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.plan_period
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.plan_period
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.category
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.category
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.target_rate
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.target_rate
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.transitional_rate
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.transitional_rate
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.certification_kind
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.certification_kind
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.relief
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.relief
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.revision_ground
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.revision_ground
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.standard_intensity
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.standard_intensity
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();


-- A request from a designated account takes effect only while its
-- requester acts for the account's holder (or is a tsetp_admin): one the
-- former operator made that a change of operator did not reject (it was
-- recorded while the change was under way), or one by a role that has
-- since stopped acting for the holder, cannot be approved (check 1015).
-- Fires after b_apply (name order); its refusal undoes the approval.
CREATE FUNCTION tsetp.approval_requester_acts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    IF NEW.decision <> 'approved' THEN
        RETURN NEW;
    END IF;
    SELECT l.id, l.requested_by, a.number, a.holder, f.code INTO r
      FROM tsetp.ledger l
      JOIN tsetp.account a ON a.number = l.from_account
      JOIN tsetp.facility f ON f.id = a.facility_id
     WHERE l.id = NEW.transaction_id;
    IF FOUND AND NOT EXISTS (
            SELECT 1 FROM pg_catalog.pg_roles q
             WHERE q.rolname = r.requested_by
               AND (pg_catalog.pg_has_role(q.oid, 'tsetp_admin', 'MEMBER')
                    OR EXISTS (SELECT 1 FROM tsetp.holder_member m
                                 JOIN pg_catalog.pg_roles g ON g.rolname = m.member
                                WHERE m.holder = r.holder AND pg_catalog.pg_has_role(q.oid, g.oid, 'MEMBER')))) THEN
        PERFORM tsetp.registry_refuse(1015, pg_catalog.format('transaction %s cannot be approved: %s does not act for the holder of designated account %s', r.id, r.requested_by, r.number),
            pg_catalog.format('Account %s of facility %s is held by its operator %s, for whom %s does not act.', r.number, r.code, r.holder, r.requested_by),
            'Reject the transaction; the holder''s roles may request it again.');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.approval_requester_acts() IS
    'Trigger: refuses to approve a request from a designated account whose requester does not act for the account''s holder (its facility''s operator) and is not a tsetp_admin (check 1015)';
CREATE TRIGGER c_requester_acts BEFORE INSERT ON tsetp.approval
    FOR EACH ROW EXECUTE FUNCTION tsetp.approval_requester_acts();

REVOKE EXECUTE ON FUNCTION tsetp.config_under_issue(), tsetp.account_holder_log(),
    tsetp.facility_operator_changed(), tsetp.approval_requester_acts() FROM PUBLIC;
GRANT SELECT ON tsetp.account_holder_history TO tsetp_admin;


-- == verify_integrity(): every invariant, checked after the update =========
-- (kept last: it reports what the database held under the older version)

-- verify_integrity(): every invariant of the registry and the engine,
-- checked over the stored rows, set-wise. The triggers and constraints keep
-- these true for every write; this function finds what an older version let
-- in, a restore without the triggers, or a superuser's hand stored anyway.
-- No rows means sound. docs/integrity.md explains each check and what to do.
--
-- The checks read every table as the extension's owner; only tsetp_admin may
-- run them. Their search_path puts tsetp after pg_catalog so that the
-- operators of the extension's types resolve (the schema admits no objects
-- but the extension's own).

-- The names of the checks and what each finds: the list a test and a
-- reader go by. verify_integrity() returns no other check_name.
CREATE FUNCTION tsetp.integrity_checks()
    RETURNS TABLE (check_name text, description text)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT v.check_name, v.description FROM (VALUES
        ('line_balance', 'per credit line (origin, kind, vintage, source): issued minus cancelled by the ledger differs from the units held'),
        ('serial_overlap', 'two holdings share a serial'),
        ('serial_unissued', 'a holding lies outside the block of the issue it falls in, or on another credit line'),
        ('serial_gap', 'the holdings within an issued block do not add up to the block: serials are missing or held twice'),
        ('serial_counter', 'the serial counter is missing or not past every issued serial'),
        ('holding_transaction', 'a holding names no ledger transaction, or one whose blocks do not contain it'),
        ('holding_state', 'a holding''s state or account is not what its transaction leaves (free, reserved, surrendered, retired, cancelled)'),
        ('transaction_holdings', 'a pending, surrendered, retired or cancelled transaction (or a reversed issue) does not hold exactly its blocks'),
        ('ledger_blocks', 'a ledger row''s amount, kind, vintage or source disagrees with the blocks it records'),
        ('ledger_programme', 'a ledger row''s accounts or kind are not of its programme, or it transfers to the sending account'),
        ('account_balance', 'an account''s units by kind and vintage differ from what its effective transactions moved in and out'),
        ('negative_balance', 'the effective transactions of an account take out more units of a kind and vintage than they brought in'),
        ('closed_account', 'a closed account holds free or reserved units'),
        ('holding_kind', 'a holding''s kind is not a credit kind of its account''s programme'),
        ('designated_account', 'a covered facility has no designated account, or its designated account is in another programme'),
        ('designated_holder', 'a designated account''s holder is not its facility''s operator'),
        ('commitment_reserve', 'an account''s free units are below its commitment reserve and its latest outgoing transaction is a transfer'),
        ('surrender_cap', 'surrendered and requested units of a capped kind exceed the kind''s share of the facility''s reduction obligation'),
        ('surrender_rules', 'a surrender breaks a rule of its period: facility not covered, another facility''s designated account, vintage not eligible, another facility''s own-facility kind, effective after the deadline'),
        ('excess_over_issued', 'standing excess reduction of a facility and period exceeds what the engine computes from the verified years up to its vintage'),
        ('excess_origin', 'standing excess reduction was issued with a block of another origin than the programme''s'),
        ('excess_account', 'excess reduction was issued elsewhere than the designated account of a facility of the programme whose code is its source'),
        ('excess_vintage', 'standing excess reduction''s vintage is not a verified year of its period from the programme''s excess_from_year-th year on'),
        ('four_eyes', 'an approved transaction was approved by the login (person) that requested it'),
        ('approval_target', 'a decision was recorded on a transaction that does not wait for approval'),
        ('correction', 'a correction does not mirror the transaction it reverses, or reverses a correction or a transaction that had not taken effect'),
        ('append_order', 'a decision or a correction is dated before what it decides or reverses'),
        ('holder_member_role', 'a holder_member row names a role that does not exist'),
        ('sequence_behind', 'an identity or running number is behind the ids or numbers in use (ledger, facility, account)'),
        ('coverage', 'tsetp.coverage differs from what the coverage rule computes from energy use'),
        ('base_revision', 'a base emissions history breaks the revision rules: first row with a reason, or a revision without an admissible ground or below the threshold')
    ) AS v(check_name, description);
END;
COMMENT ON FUNCTION tsetp.integrity_checks() IS
    'The checks of tsetp.verify_integrity(): each check_name it can return and what it finds (docs/integrity.md)';

CREATE FUNCTION tsetp.verify_integrity()
    RETURNS TABLE (check_name text, subject text, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, tsetp, pg_temp
    -- One large query of many parts: its estimated cost passes the JIT
    -- thresholds on any sizeable registry, and compiling it takes seconds,
    -- far more than running it (tenths of a second on the demo database).
    SET jit = off
AS $$
WITH
-- Every ledger row with its status, once.
tx AS MATERIALIZED (
    SELECT l.id, l.type, l.from_account, l.to_account, l.kind, l.amount::numeric AS amount, l.block,
           l.vintage, l.source, l.facility_id, l.period_no, l.corrects, l.programme, l.blocks,
           l.needs_approval, l.requested_by, l.requested_by_login, l.requested_at,
           s.status, s.effective_at, t.type AS target_type
      FROM tsetp.ledger l
      JOIN tsetp.transaction_status s ON s.id = l.id
      LEFT JOIN tsetp.ledger t ON t.id = l.corrects
),
-- Every block every ledger row records.
txb AS MATERIALIZED (
    SELECT x.id, x.type, b.block, first_serial(b.block) AS lo, last_serial(b.block) AS hi,
           tonnes(b.block) AS tonnes, origin(b.block) AS origin, kind(b.block) AS kind,
           vintage(b.block) AS vintage, source(b.block) AS source
      FROM tx x CROSS JOIN LATERAL unnest(x.blocks) AS b(block)
),
hold AS MATERIALIZED (
    SELECT h.block, h.account, h.state, h.tx, h.first_serial AS lo, h.first_serial + h.tonnes - 1 AS hi,
           h.tonnes, origin(h.block) AS origin, h.kind, h.vintage, source(h.block) AS source
      FROM tsetp.holding h
),
-- The issued blocks, and for each holding the issued block it falls in
-- (the last one starting at or before it).
iss AS MATERIALIZED (
    SELECT b.id, b.block, b.lo, b.hi, b.tonnes, b.origin, b.kind, b.vintage, b.source
      FROM txb b WHERE b.type = 'issue'
),
placed AS MATERIALIZED (
    SELECT e.*, max(e.issue_lo) OVER (ORDER BY e.lo, e.is_issue DESC ROWS UNBOUNDED PRECEDING) AS in_issue
      FROM (SELECT i.lo, i.hi, true AS is_issue, i.lo AS issue_lo, NULL::text AS block
              FROM iss i
            UNION ALL
            SELECT h.lo, h.hi, false, NULL, h.block::text FROM hold h) e
),
-- Balances by the ledger: what effective transactions moved in and out.
moved AS MATERIALIZED (
    SELECT m.account, b.kind, b.vintage, sum(m.sign * b.tonnes) AS tonnes
      FROM tx x
      JOIN txb b ON b.id = x.id
     CROSS JOIN LATERAL (VALUES (x.from_account, -1), (x.to_account, 1)) AS m(account, sign)
     WHERE x.effective_at IS NOT NULL AND m.account IS NOT NULL
     GROUP BY m.account, b.kind, b.vintage
),
held AS MATERIALIZED (
    SELECT h.account, h.kind, h.vintage, sum(h.tonnes) AS tonnes
      FROM hold h WHERE h.state IN ('free', 'reserved')
     GROUP BY h.account, h.kind, h.vintage
),
-- Standing excess reduction by facility and period, with the cumulative
-- amount issued up to each vintage.
se AS MATERIALIZED (
    SELECT f.id AS facility_id, f.code, s.period_no, s.vintage, s.vintage::int AS upto,
           sum(sum(s.amount::numeric)) OVER (PARTITION BY f.id, s.period_no ORDER BY s.vintage) AS issued
      FROM tsetp.standing_excess s
      JOIN tsetp.facility f ON f.programme = s.programme AND f.code = s.source
     WHERE s.period_no IS NOT NULL
     GROUP BY f.id, f.code, s.period_no, s.vintage
),
-- Facility-periods with capped surrenders.
capped AS MATERIALIZED (
    SELECT x.facility_id, x.period_no, x.kind, k.cap_numerator, k.cap_denominator, sum(x.amount) AS amount
      FROM tx x
      JOIN tsetp.credit_kind k ON k.programme = x.programme AND k.code = x.kind
     WHERE x.type = 'surrender' AND x.status IN ('requested', 'completed') AND k.cap_numerator IS NOT NULL
     GROUP BY x.facility_id, x.period_no, x.kind, k.cap_numerator, k.cap_denominator
),
-- The engine's evaluation, only of the facility-periods these need, each
-- row carrying what it is compared with: for each vintage of standing
-- excess, the totals over the verified years up to it; for each capped
-- kind surrendered, the period's totals.
engine AS MATERIALIZED (
    SELECT q.*, t.excess::numeric AS excess, t.last_verified_year, t.target_total::numeric AS target_total
      FROM (SELECT s.facility_id, s.code, s.period_no, s.vintage, s.upto, s.issued,
                   NULL::text AS kind, NULL::int AS cap_numerator, NULL::int AS cap_denominator, NULL::numeric AS amount
              FROM se s
            UNION ALL
            SELECT c.facility_id, NULL, c.period_no, NULL, NULL, NULL,
                   c.kind, c.cap_numerator, c.cap_denominator, c.amount
              FROM capped c) q
      LEFT JOIN tsetp.facility_period_input n ON n.facility_id = q.facility_id AND n.period_no = q.period_no
      LEFT JOIN LATERAL period_totals(
           n.coverage_start, n.years, n.standard_rate, n.ladder_first_n, n.ladder_last_n, n.ladder_rates,
           n.reduction_cap, n.base_from, n.base_amounts, n.emission_years, n.emission_amounts,
           CASE WHEN q.upto IS NULL THEN n.emission_verified
                ELSE ARRAY(SELECT u.v AND u.y::int <= q.upto
                             FROM unnest(n.emission_verified, n.emission_years) WITH ORDINALITY AS u(v, y, o)
                            ORDER BY u.o) END,
           n.relief_years, n.relief_kinds, n.relief_operations, n.relief_values, n.relief_standard_only) t
        ON n.facility_id IS NOT NULL
)

-- line_balance
SELECT 'line_balance', format('%s/%s/%s/%s', g.origin, g.kind, g.vintage, g.source),
       format('issued %s t, cancelled by the ledger %s t, held %s t', g.issued, g.cancelled, g.held)
  FROM (SELECT a.origin, a.kind, a.vintage, a.source,
               sum(a.issued) AS issued, sum(a.cancelled) AS cancelled, sum(a.held) AS held
          FROM (SELECT b.origin, b.kind, b.vintage, b.source, b.tonnes AS issued, 0 AS cancelled, 0 AS held
                  FROM txb b WHERE b.type = 'issue'
                UNION ALL
                SELECT b.origin, b.kind, b.vintage, b.source, 0, b.tonnes, 0
                  FROM txb b JOIN tx x ON x.id = b.id
                 WHERE (x.type = 'cancel' AND x.status = 'completed') OR (x.type = 'issue' AND x.status = 'reversed')
                UNION ALL
                SELECT h.origin, h.kind, h.vintage, h.source, 0, 0, h.tonnes
                  FROM hold h WHERE h.state <> 'cancelled') a
         GROUP BY a.origin, a.kind, a.vintage, a.source) g
 WHERE g.issued - g.cancelled <> g.held

UNION ALL
-- serial_overlap
SELECT 'serial_overlap', o.block, format('overlaps %s', o.prev)
  FROM (SELECT h.block::text AS block, h.lo,
               lag(h.block::text) OVER w AS prev, max(h.hi) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_hi
          FROM hold h WINDOW w AS (ORDER BY h.lo, h.hi)) o
 WHERE o.lo <= o.prev_hi

UNION ALL
-- serial_unissued
SELECT 'serial_unissued', p.block,
       CASE WHEN i.id IS NULL THEN 'no issue contains these serials'
            ELSE format('issue %s issued %s', i.id, i.block) END
  FROM placed p
  LEFT JOIN iss i ON i.lo = p.in_issue
  LEFT JOIN hold h ON h.lo = p.lo AND NOT p.is_issue
 WHERE NOT p.is_issue
   AND (i.id IS NULL OR p.hi > i.hi OR h.origin <> i.origin OR h.kind <> i.kind
        OR h.vintage <> i.vintage OR h.source <> i.source)

UNION ALL
-- serial_gap
SELECT 'serial_gap', i.block::text,
       format('issue %s issued %s t; the holdings within it hold %s t', i.id, i.tonnes, COALESCE(c.tonnes, 0))
  FROM iss i
  LEFT JOIN (SELECT p.in_issue, sum(p.hi - p.lo + 1) AS tonnes
               FROM placed p WHERE NOT p.is_issue GROUP BY p.in_issue) c ON c.in_issue = i.lo
 WHERE COALESCE(c.tonnes, 0) <> i.tonnes

UNION ALL
-- serial_counter
SELECT 'serial_counter', 'tsetp.serial_counter',
       format('%s row(s), next serial %s; highest serial issued %s', c.n, c.next_serial, m.top)
  FROM (SELECT count(*) AS n, max(s.next_serial) AS next_serial FROM tsetp.serial_counter s) c,
       (SELECT max(t.hi) AS top FROM (SELECT b.hi FROM iss b UNION ALL SELECT h.hi FROM hold h) t) m
 WHERE c.n <> 1 OR c.next_serial <= COALESCE(m.top, 0)

UNION ALL
-- holding_transaction
SELECT 'holding_transaction', h.block::text,
       CASE WHEN x.id IS NULL THEN format('transaction %s does not exist', h.tx)
            ELSE format('transaction %s (%s) did not move these serials', h.tx, x.type) END
  FROM hold h
  LEFT JOIN tx x ON x.id = h.tx
  LEFT JOIN txb b ON b.id = h.tx AND b.lo <= h.lo AND h.hi <= b.hi
                 AND b.origin = h.origin AND b.kind = h.kind AND b.vintage = h.vintage AND b.source = h.source
 WHERE b.id IS NULL

UNION ALL
-- holding_state
SELECT 'holding_state', h.account,
       format('block %s is %s in %s; transaction %s (%s, %s) leaves it %s in %s',
              h.block, h.state, h.account, x.id, x.type, x.status,
              COALESCE(e.state, 'nowhere'), COALESCE(e.account, '-'))
  FROM hold h
  JOIN tx x ON x.id = h.tx
 CROSS JOIN LATERAL (SELECT CASE
           WHEN x.status = 'reversed' THEN NULL
           WHEN x.type = 'correction' AND x.target_type = 'issue' THEN 'cancelled'
           WHEN x.type IN ('issue', 'transfer', 'correction') AND x.status = 'completed' THEN 'free'
           WHEN x.status = 'requested' THEN 'reserved'
           WHEN x.status IN ('rejected', 'cancelled') THEN 'free'
           WHEN x.type = 'surrender' THEN 'surrendered'
           WHEN x.type = 'retire' THEN 'retired'
           WHEN x.type = 'cancel' THEN 'cancelled' END,
         CASE
           WHEN x.status = 'reversed' THEN NULL
           WHEN x.type = 'correction' AND x.target_type = 'issue' THEN x.from_account
           WHEN x.type IN ('issue', 'transfer', 'correction') AND x.status = 'completed' THEN x.to_account
           ELSE x.from_account END) AS e(state, account)
 WHERE e.state IS DISTINCT FROM h.state OR e.account IS DISTINCT FROM h.account

UNION ALL
-- transaction_holdings
SELECT 'transaction_holdings', format('transaction %s', x.id),
       format('%s (%s) recorded %s t; %s t are held under it', x.type, x.status, b.tonnes, COALESCE(h.tonnes, 0))
  FROM tx x
  JOIN (SELECT b.id, sum(b.tonnes) AS tonnes FROM txb b GROUP BY b.id) b ON b.id = x.id
  LEFT JOIN (SELECT h.tx, sum(h.tonnes) AS tonnes FROM hold h GROUP BY h.tx) h ON h.tx = x.id
 WHERE (x.status = 'requested'
        OR (x.status = 'completed' AND x.type IN ('surrender', 'retire', 'cancel'))
        OR (x.type = 'correction' AND x.target_type = 'issue'))
   AND COALESCE(h.tonnes, 0) <> b.tonnes

UNION ALL
-- ledger_blocks
SELECT 'ledger_blocks', format('transaction %s', x.id),
       format('%s of %s t of %s records blocks %s', x.type, x.amount, x.kind, array_to_string(x.blocks, ' '))
  FROM tx x
  LEFT JOIN (SELECT b.id, sum(b.tonnes) AS tonnes, bool_and(b.kind = x2.kind) AS same_kind,
                    bool_and(b.vintage = x2.vintage AND b.source = x2.source) AS same_line
               FROM txb b JOIN tx x2 ON x2.id = b.id GROUP BY b.id) b ON b.id = x.id
 WHERE x.amount IS NULL OR x.amount <= 0 OR x.amount <> trunc(x.amount)
    OR x.amount <> COALESCE(b.tonnes, 0) OR NOT b.same_kind
    OR (x.type = 'issue' AND (x.block IS NULL OR x.blocks <> ARRAY[x.block] OR NOT b.same_line))

UNION ALL
-- ledger_programme
SELECT 'ledger_programme', format('transaction %s', x.id),
       format('programme %s; kind %s; from %s (%s); to %s (%s)', x.programme, x.kind,
              COALESCE(x.from_account, '-'), COALESCE(fa.programme, '-'), COALESCE(x.to_account, '-'), COALESCE(ta.programme, '-'))
  FROM tx x
  LEFT JOIN tsetp.account fa ON fa.number = x.from_account
  LEFT JOIN tsetp.account ta ON ta.number = x.to_account
 WHERE fa.programme <> x.programme OR ta.programme <> x.programme OR x.from_account = x.to_account
    OR NOT EXISTS (SELECT 1 FROM tsetp.credit_kind k WHERE k.programme = x.programme AND k.code = x.kind)

UNION ALL
-- account_balance
SELECT 'account_balance', COALESCE(m.account, h.account),
       format('%s of %s: the ledger moved in %s t net, the account holds %s t',
              COALESCE(m.kind, h.kind), COALESCE(m.vintage, h.vintage), COALESCE(m.tonnes, 0), COALESCE(h.tonnes, 0))
  FROM moved m
  FULL JOIN held h ON h.account = m.account AND h.kind = m.kind AND h.vintage = m.vintage
 WHERE COALESCE(m.tonnes, 0) <> COALESCE(h.tonnes, 0)

UNION ALL
-- negative_balance
SELECT 'negative_balance', m.account, format('%s of %s: %s t', m.kind, m.vintage, m.tonnes)
  FROM moved m WHERE m.tonnes < 0

UNION ALL
-- closed_account
SELECT 'closed_account', a.number, format('closed, holds %s t free or reserved', sum(h.tonnes))
  FROM tsetp.account a JOIN hold h ON h.account = a.number
 WHERE a.status = 'closed' AND h.state IN ('free', 'reserved')
 GROUP BY a.number

UNION ALL
-- holding_kind
SELECT 'holding_kind', h.account, format('block %s: programme %s has no credit kind %s', h.block, a.programme, h.kind)
  FROM hold h JOIN tsetp.account a ON a.number = h.account
 WHERE NOT EXISTS (SELECT 1 FROM tsetp.credit_kind k WHERE k.programme = a.programme AND k.code = h.kind)

UNION ALL
-- designated_account
SELECT 'designated_account', f.code,
       CASE WHEN a.number IS NULL THEN format('facility %s of %s is covered from %s and has no designated account', f.code, f.programme, c.coverage_start)
            ELSE format('designated account %s is in programme %s, the facility in %s', a.number, a.programme, f.programme) END
  FROM tsetp.facility f
  LEFT JOIN tsetp.coverage c ON c.facility_id = f.id
  LEFT JOIN tsetp.account a ON a.facility_id = f.id
 WHERE (a.number IS NULL AND c.facility_id IS NOT NULL) OR a.programme <> f.programme
    OR a.account_type <> 'designated'

UNION ALL
-- designated_holder
SELECT 'designated_holder', a.number, format('held by %s; facility %s is operated by %s', a.holder, f.code, f.operator)
  FROM tsetp.account a JOIN tsetp.facility f ON f.id = a.facility_id
 WHERE a.holder <> f.operator

UNION ALL
-- commitment_reserve
SELECT 'commitment_reserve', a.number,
       format('%s t free, commitment reserve %s t; transaction %s was a transfer', COALESCE(fr.tonnes, 0), a.commitment_reserve, o.id)
  FROM tsetp.account a
  LEFT JOIN (SELECT h.account, sum(h.tonnes) AS tonnes FROM hold h WHERE h.state = 'free' GROUP BY h.account) fr
         ON fr.account = a.number
 CROSS JOIN LATERAL (SELECT x.id, x.type FROM tx x
                      WHERE x.from_account = a.number AND x.type IN ('transfer', 'surrender', 'retire', 'cancel')
                        AND x.status IN ('requested', 'completed')
                      ORDER BY x.id DESC LIMIT 1) o
 WHERE a.commitment_reserve::numeric > 0 AND COALESCE(fr.tonnes, 0) < a.commitment_reserve::numeric
   AND o.type = 'transfer'

UNION ALL
-- surrender_cap
SELECT 'surrender_cap', f.code,
       format('period %s: %s t of %s surrendered or requested; the cap is %s/%s of %s t, %s t',
              c.period_no, c.amount, c.kind, c.cap_numerator, c.cap_denominator, c.target_total,
              floor(COALESCE(c.target_total, 0) * c.cap_numerator / c.cap_denominator))
  FROM engine c
  JOIN tsetp.facility f ON f.id = c.facility_id
 WHERE c.kind IS NOT NULL
   AND c.amount > floor(COALESCE(c.target_total, 0) * c.cap_numerator / c.cap_denominator)

UNION ALL
-- surrender_rules
SELECT 'surrender_rules', COALESCE(f.code, format('facility %s', x.facility_id)), format('transaction %s: %s', x.id, r.what)
  FROM tx x
  LEFT JOIN tsetp.facility f ON f.id = x.facility_id
  LEFT JOIN tsetp.programme p ON p.code = x.programme
  LEFT JOIN tsetp.plan_period pp ON pp.programme = f.programme AND pp.period_no = x.period_no
  LEFT JOIN tsetp.coverage c ON c.facility_id = f.id
  LEFT JOIN tsetp.account a ON a.number = x.from_account
 CROSS JOIN LATERAL (
       SELECT 'the facility is not covered in the period' WHERE f.programme IS DISTINCT FROM x.programme
           OR pp.period_no IS NULL OR c.coverage_start IS NULL OR c.coverage_start > upper(pp.years)
       UNION ALL
       SELECT format('account %s is the designated account of another facility', a.number)
        WHERE a.account_type = 'designated' AND a.facility_id <> x.facility_id
       UNION ALL
       SELECT format('it took effect on %s, after the deadline %s', (x.effective_at AT TIME ZONE p.timezone)::date, pp.deadline)
        WHERE x.status = 'completed' AND (x.effective_at AT TIME ZONE p.timezone)::date > pp.deadline
       UNION ALL
       SELECT format('block %s is not eligible for period %s', b.block, x.period_no)
         FROM unnest(x.blocks) AS b(block)
         LEFT JOIN tsetp.credit_kind k ON k.programme = x.programme AND k.code = kind(b.block)
        WHERE vintage_period(x.programme, vintage(b.block)) IS NULL
           OR vintage_period(x.programme, vintage(b.block)) > x.period_no
           OR NOT banking_eligible(vintage_period(x.programme, vintage(b.block)), x.period_no, p.banking_periods)
           OR (k.own_facility_only AND source(b.block) <> f.code)) AS r(what)
 WHERE x.type = 'surrender' AND x.status IN ('requested', 'completed')

UNION ALL
-- excess_over_issued
SELECT 'excess_over_issued', s.code,
       format('period %s, verified years to %s: %s t issued and standing; the engine computes %s t',
              s.period_no, s.vintage, s.issued, COALESCE(s.excess, 0))
  FROM engine s
 WHERE s.upto IS NOT NULL AND s.issued > COALESCE(s.excess, 0)

UNION ALL
-- excess_origin
SELECT 'excess_origin', COALESCE(x.source, format('transaction %s', x.id)),
       format('transaction %s issued %s of origin %s in programme %s (origin %s)', x.id, x.block, origin(x.block), x.programme, p.credit_origin)
  FROM tx x
  JOIN tsetp.programme p ON p.code = x.programme
  JOIN tsetp.credit_kind k ON k.programme = x.programme AND k.code = x.kind AND k.excess_reduction
 WHERE x.type = 'issue' AND x.status = 'completed' AND origin(x.block) <> p.credit_origin

UNION ALL
-- excess_account
SELECT 'excess_account', COALESCE(x.source, format('transaction %s', x.id)),
       format('transaction %s issued %s t into %s, %s', x.id, x.amount, x.to_account,
              CASE WHEN f.id IS NULL THEN 'and no facility of ' || x.programme || ' has that code'
                   ELSE 'not the designated account of facility ' || f.code END)
  FROM tx x
  JOIN tsetp.credit_kind k ON k.programme = x.programme AND k.code = x.kind AND k.excess_reduction
  LEFT JOIN tsetp.facility f ON f.programme = x.programme AND f.code = x.source
  LEFT JOIN tsetp.account a ON a.number = x.to_account
 WHERE x.type = 'issue' AND x.status = 'completed' AND (f.id IS NULL OR a.facility_id IS DISTINCT FROM f.id)

UNION ALL
-- excess_vintage
SELECT 'excess_vintage', s.code,
       format('vintage %s of period %s: %s', s.vintage, s.period_no,
              CASE WHEN s.last_verified_year IS DISTINCT FROM s.vintage THEN 'not a verified covered year of the facility'
                   ELSE 'before the year of the period from which excess reduction is issued' END)
  FROM engine s
  JOIN tsetp.facility f ON f.id = s.facility_id
  JOIN tsetp.programme p ON p.code = f.programme
  JOIN tsetp.plan_period pp ON pp.programme = f.programme AND pp.period_no = s.period_no
 WHERE s.upto IS NOT NULL AND (s.last_verified_year IS DISTINCT FROM s.vintage
    OR s.vintage::int - lower(pp.years)::int + 1 < COALESCE(p.excess_from_year, 1))

UNION ALL
-- excess_vintage (issues of excess reduction outside every plan period)
SELECT 'excess_vintage', s.source, format('transaction %s: vintage %s lies outside every plan period of %s', s.id, s.vintage, s.programme)
  FROM tsetp.standing_excess s WHERE s.period_no IS NULL

UNION ALL
-- four_eyes
SELECT 'four_eyes', format('transaction %s', x.id),
       format('requested and approved by login %s (as roles %s and %s)', x.requested_by_login, x.requested_by, d.decided_by)
  FROM tx x JOIN tsetp.approval d ON d.transaction_id = x.id
 WHERE d.decision = 'approved' AND d.decided_by_login = x.requested_by_login

UNION ALL
-- approval_target
SELECT 'approval_target', format('transaction %s', d.transaction_id),
       format('%s by %s; the %s did not wait for approval', d.decision, d.decided_by, x.type)
  FROM tsetp.approval d JOIN tx x ON x.id = d.transaction_id
 WHERE NOT x.needs_approval

UNION ALL
-- correction
SELECT 'correction', format('transaction %s', x.id), format('reverses transaction %s (%s, %s): %s', t.id, t.type, t.status, w.what)
  FROM tx x
  JOIN tx t ON t.id = x.corrects
 CROSS JOIN LATERAL (
       SELECT 'a correction is not corrected' WHERE t.type = 'correction'
       UNION ALL
       SELECT 'it had not taken effect' WHERE t.effective_at IS NULL
       UNION ALL
       SELECT 'its kind, amount, blocks or accounts do not mirror it'
        WHERE x.kind IS DISTINCT FROM t.kind OR x.amount IS DISTINCT FROM t.amount OR x.blocks <> t.blocks
           OR x.from_account IS DISTINCT FROM CASE WHEN t.type IN ('issue', 'transfer') THEN t.to_account END
           OR x.to_account IS DISTINCT FROM CASE WHEN t.type <> 'issue' THEN t.from_account END) AS w(what)
 WHERE x.type = 'correction'

UNION ALL
-- append_order
SELECT 'append_order', format('transaction %s', x.id), w.what
  FROM tx x
  LEFT JOIN tsetp.approval d ON d.transaction_id = x.id
  LEFT JOIN tx t ON t.id = x.corrects
 CROSS JOIN LATERAL (
       SELECT format('decided at %s, requested at %s', d.decided_at, x.requested_at) WHERE d.decided_at < x.requested_at
       UNION ALL
       SELECT format('reverses transaction %s, which took effect at %s, at %s', t.id, t.effective_at, x.requested_at)
        WHERE x.requested_at < t.effective_at OR x.id < t.id) AS w(what)

UNION ALL
-- holder_member_role
SELECT 'holder_member_role', m.holder, format('member %s is not a role', m.member)
  FROM tsetp.holder_member m
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = m.member)

UNION ALL
-- sequence_behind
SELECT 'sequence_behind', (SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE c.oid = q.seq), format('last value %s, highest in use %s', COALESCE(pg_sequence_last_value(q.seq), 0), q.top)
  FROM (SELECT pg_get_serial_sequence('tsetp.ledger', 'id')::regclass AS seq, (SELECT max(l.id) FROM tsetp.ledger l) AS top
        UNION ALL
        SELECT pg_get_serial_sequence('tsetp.facility', 'id')::regclass, (SELECT max(f.id) FROM tsetp.facility f)
        UNION ALL
        SELECT 'tsetp.account_number_seq'::regclass,
               (SELECT max(substring(a.number, '[DG]([0-9]{1,18})$')::bigint) FROM tsetp.account a)) q
 WHERE q.top > COALESCE(pg_sequence_last_value(q.seq), 0)

UNION ALL
-- coverage
SELECT 'coverage', COALESCE(f.code, format('facility %s', COALESCE(c.facility_id, n.facility_id))),
       format('stored coverage from %s; the rule computes %s',
              COALESCE(c.coverage_start::text, 'none'), COALESCE(n.coverage_start::text, 'none'))
  FROM tsetp.coverage c
  FULL JOIN tsetp.computed_coverage(ARRAY(SELECT f.id FROM tsetp.facility f)) n ON n.facility_id = c.facility_id
  LEFT JOIN tsetp.facility f ON f.id = COALESCE(c.facility_id, n.facility_id)
 WHERE c.coverage_start IS DISTINCT FROM n.coverage_start

UNION ALL
-- base_revision
SELECT 'base_revision', f.code, format('base from %s (%s t, reason %s): %s', b.effective_from, b.amount, COALESCE(b.reason, 'none'), w.what)
  FROM (SELECT b.*, lag(b.amount) OVER (PARTITION BY b.facility_id ORDER BY b.effective_from) AS prev
          FROM tsetp.base_emission b) b
  JOIN tsetp.facility f ON f.id = b.facility_id
  JOIN tsetp.programme p ON p.code = f.programme
  LEFT JOIN tsetp.revision_ground g ON g.programme = f.programme AND g.code = b.reason
 CROSS JOIN LATERAL (
       SELECT 'the first base emissions have a reason' WHERE b.prev IS NULL AND b.reason IS NOT NULL
       UNION ALL
       SELECT 'the revision has no admissible ground' WHERE b.prev IS NOT NULL AND g.admissible IS NOT TRUE
       UNION ALL
       SELECT format('the change from %s t is below the revision threshold', b.prev)
        WHERE b.prev IS NOT NULL AND NOT revision_required(b.prev, b.amount, p.revision_threshold)) AS w(what)
$$;
COMMENT ON FUNCTION tsetp.verify_integrity() IS
    'Checks every invariant of the registry and the engine over the stored rows and returns what is wrong (check_name, subject, detail); no rows means sound; tsetp.integrity_checks() lists the checks (tsetp_admin)';

REVOKE EXECUTE ON FUNCTION tsetp.verify_integrity() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tsetp.verify_integrity() TO tsetp_admin;

-- What the older version stored that breaks an invariant: one WARNING with
-- every finding (the update goes on; docs/integrity.md says what to do).
DO $$
DECLARE
    n     bigint;
    found text;
BEGIN
    SELECT pg_catalog.count(*),
           pg_catalog.string_agg(pg_catalog.format('%s: %s: %s', v.check_name, v.subject, v.detail), E'\n'
                                 ORDER BY v.check_name, v.subject, v.detail)
      INTO n, found
      FROM tsetp.verify_integrity() v;
    IF n > 0 THEN
        RAISE WARNING 'tsetp.verify_integrity() found % illegal state(s) stored under the older version', n
            USING DETAIL = found,
                  HINT = 'Each check is explained with what to do in docs/integrity.md; SELECT * FROM tsetp.verify_integrity() lists them again.';
    END IF;
END
$$;

