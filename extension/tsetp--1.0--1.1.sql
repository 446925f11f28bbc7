-- tsetp 1.0 -> 1.1
--
-- * The compliance engine evaluates each facility's plan period once, in C
--   (period_years, period_totals) over its rows gathered set-wise
--   (facility_period_input), instead of joining per facility-year. The views
--   facility_year and facility_period_reduction keep their columns; the
--   helpers ladder_rate and best_relief, which only they used, are dropped.
-- * Credit blocks get a GiST operator class keyed by their serials
--   (credit_serial_ops, key type serial_span); the holdings' exclusion
--   constraint is rebuilt on the block itself with it, and the registry's
--   lookups of holdings by serials use it.
-- * tsetp.issue_excess_all reads the latest verified year from the engine's
--   totals.
-- * The request functions transfer, surrender and retire are PL/pgSQL again
--   (without a SET clause), which keeps their INSERT's plan for the session.
-- * Fixes: a transfer locks the sending account before it reads the balance
--   its commitment reserve is checked against; own banked excess must also
--   be of the programme's own origin; a verified year without a target earns
--   no excess; projection() calls the formula once per row.
\echo Use "ALTER EXTENSION tsetp UPDATE TO '1.1'" to load this file. \quit

-- The evaluation of a facility's plan period, year by year (period.c): the
-- covered years, the base in force, the rate before relief (the first rung
-- of the transitional ladder that applies, else the standard rate), the
-- relief giving the lowest rate, then target, reduction and counted
-- reduction, with the same formulas as year_target(), apply_relief(),
-- counted_reduction() and the others. period_years() returns the years,
-- period_totals() the period's totals.
CREATE FUNCTION tsetp.period_years(
        coverage_start tsetp.fiscal_year, years tsetp.fiscal_period, standard_rate numeric,
        ladder_first_n int[], ladder_last_n int[], ladder_rates numeric[], reduction_cap numeric,
        base_from tsetp.fiscal_year[], base_amounts tsetp.tco2[],
        emission_years tsetp.fiscal_year[], emission_amounts tsetp.tco2[], emission_verified boolean[],
        relief_years tsetp.fiscal_year[], relief_kinds text[], relief_operations text[],
        relief_values numeric[], relief_standard_only boolean[])
    RETURNS TABLE (fy tsetp.fiscal_year, coverage_year int, base tsetp.tco2,
                   rate_before_relief numeric, transitional boolean, relief text, rate numeric,
                   target tsetp.tco2, emissions tsetp.tco2, verified boolean,
                   reduction tsetp.tco2, counted_reduction tsetp.tco2)
    AS 'MODULE_PATHNAME', 'tsetp_period_years'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION tsetp.period_years(tsetp.fiscal_year, tsetp.fiscal_period, numeric, int[], int[], numeric[], numeric,
                                       tsetp.fiscal_year[], tsetp.tco2[], tsetp.fiscal_year[], tsetp.tco2[], boolean[],
                                       tsetp.fiscal_year[], text[], text[], numeric[], boolean[]) IS
    'Each covered year of a facility''s plan period from its rows (as facility_period_input gathers them): base in force, rate before relief (first ladder rung in first_n order that applies, else the standard rate), the relief giving the lowest rate (ties: the first in input order; standard-only reliefs skip transitional rates), target, emissions, reduction and counted reduction';

CREATE FUNCTION tsetp.period_totals(
        coverage_start tsetp.fiscal_year, years tsetp.fiscal_period, standard_rate numeric,
        ladder_first_n int[], ladder_last_n int[], ladder_rates numeric[], reduction_cap numeric,
        base_from tsetp.fiscal_year[], base_amounts tsetp.tco2[],
        emission_years tsetp.fiscal_year[], emission_amounts tsetp.tco2[], emission_verified boolean[],
        relief_years tsetp.fiscal_year[], relief_kinds text[], relief_operations text[],
        relief_values numeric[], relief_standard_only boolean[])
    RETURNS TABLE (years_covered int, years_verified int, first_year tsetp.fiscal_year,
                   last_verified_year tsetp.fiscal_year, base_total tsetp.tco2, target_total tsetp.tco2,
                   target_verified tsetp.tco2, emissions_total tsetp.tco2, reduction_total tsetp.tco2,
                   counted_total tsetp.tco2, excess tsetp.tco2, pending boolean)
    AS 'MODULE_PATHNAME', 'tsetp_period_totals'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION tsetp.period_totals(tsetp.fiscal_year, tsetp.fiscal_period, numeric, int[], int[], numeric[], numeric,
                                        tsetp.fiscal_year[], tsetp.tco2[], tsetp.fiscal_year[], tsetp.tco2[], boolean[],
                                        tsetp.fiscal_year[], text[], text[], numeric[], boolean[]) IS
    'Totals of a facility''s plan period over the years period_years() gives (no row when none is covered): base and target of every covered year; emissions, target and reduction of the verified years, and counted reduction of those with a target (a year without a rate earns no excess); excess = greatest(counted − target of the verified years, 0); pending while a year lacks verified emissions, a base or a rate';

-- Everything the evaluation of a facility's plan period needs, one row per
-- facility and plan period, the facility's rows of the period gathered into
-- arrays: a report then evaluates each facility-period once, without a join
-- per facility-year. A filter on facility_id, programme or period_no reaches
-- every table read.
CREATE VIEW tsetp.facility_period_input AS
SELECT f.id AS facility_id, f.programme, f.category, pp.period_no, pp.years,
       c.coverage_start, s.rate AS standard_rate,
       l.first_n AS ladder_first_n, l.last_n AS ladder_last_n, l.rates AS ladder_rates,
       p.reduction_cap,
       b.effective_from AS base_from, b.amounts AS base_amounts,
       e.fys AS emission_years, e.amounts AS emission_amounts, e.verified AS emission_verified,
       r.fys AS relief_years, r.kinds AS relief_kinds, r.operations AS relief_operations,
       r.relief_values, r.standard_only AS relief_standard_only
  FROM tsetp.facility f
  JOIN tsetp.programme p ON p.code = f.programme
  JOIN tsetp.coverage c ON c.facility_id = f.id
  JOIN tsetp.plan_period pp ON pp.programme = f.programme
  LEFT JOIN tsetp.target_rate s
         ON s.programme = f.programme AND s.period_no = pp.period_no AND s.category = f.category
  -- the transitional ladder, only for facilities covered late enough to be on it
  LEFT JOIN (SELECT t.programme, t.period_no, t.category,
                    pg_catalog.array_agg(t.first_n ORDER BY t.first_n) AS first_n,
                    pg_catalog.array_agg(t.last_n ORDER BY t.first_n) AS last_n,
                    pg_catalog.array_agg(t.rate ORDER BY t.first_n) AS rates
               FROM tsetp.transitional_rate t
              GROUP BY t.programme, t.period_no, t.category) l
         ON l.programme = f.programme AND l.period_no = pp.period_no AND l.category = f.category
        AND c.coverage_start >= p.transitional_from
  LEFT JOIN (SELECT b.facility_id,
                    pg_catalog.array_agg(b.effective_from) AS effective_from,
                    pg_catalog.array_agg(b.amount) AS amounts
               FROM tsetp.base_emission b
              GROUP BY b.facility_id) b
         ON b.facility_id = f.id
  -- emissions of the period's years only (the period is known before the
  -- emission rows are read, so other years never reach the aggregate)
  LEFT JOIN (SELECT e.facility_id, ep.programme, ep.period_no,
                    pg_catalog.array_agg(e.fy) AS fys,
                    pg_catalog.array_agg(e.amount) AS amounts,
                    pg_catalog.array_agg(e.verified_by IS NOT NULL) AS verified
               FROM tsetp.emission e
               JOIN tsetp.plan_period ep
                 ON e.fy >= tsetp.lower(ep.years) AND e.fy <= tsetp.upper(ep.years)
              GROUP BY e.facility_id, ep.programme, ep.period_no) e
         ON e.facility_id = f.id AND e.programme = f.programme AND e.period_no = pp.period_no
  -- certified reliefs, ordered by kind within a year: the first kind wins a tie
  LEFT JOIN (SELECT ce.facility_id, cp.period_no,
                    pg_catalog.array_agg(ce.fy ORDER BY ce.fy, ce.kind) AS fys,
                    pg_catalog.array_agg(ce.kind ORDER BY ce.fy, ce.kind) AS kinds,
                    pg_catalog.array_agg(x.operation ORDER BY ce.fy, ce.kind) AS operations,
                    pg_catalog.array_agg(x.value ORDER BY ce.fy, ce.kind) AS relief_values,
                    pg_catalog.array_agg(x.standard_only ORDER BY ce.fy, ce.kind) AS standard_only
               FROM tsetp.certification ce
               JOIN tsetp.facility cf ON cf.id = ce.facility_id
               JOIN tsetp.plan_period cp ON cp.programme = cf.programme AND cp.years @> ce.fy
               JOIN tsetp.relief x ON x.programme = cf.programme AND x.period_no = cp.period_no AND x.kind = ce.kind
              GROUP BY ce.facility_id, cp.period_no) r
         ON r.facility_id = f.id AND r.period_no = pp.period_no;
COMMENT ON VIEW tsetp.facility_period_input IS 'Per facility and plan period, the rows its evaluation needs: coverage, standard rate, ladder rungs (for facilities on the ladder), cap, base history, the period''s emissions and certified reliefs, as arrays for period_years() and period_totals()';

CREATE OR REPLACE VIEW tsetp.facility_year AS
SELECT i.facility_id, i.programme, i.category, i.period_no,
       y.fy, y.coverage_year, y.base, y.rate_before_relief, y.transitional, y.relief, y.rate,
       y.target, y.emissions, y.verified, y.reduction, y.counted_reduction
  FROM tsetp.facility_period_input i
 CROSS JOIN LATERAL tsetp.period_years(
       i.coverage_start, i.years, i.standard_rate, i.ladder_first_n, i.ladder_last_n, i.ladder_rates,
       i.reduction_cap, i.base_from, i.base_amounts, i.emission_years, i.emission_amounts,
       i.emission_verified, i.relief_years, i.relief_kinds, i.relief_operations, i.relief_values,
       i.relief_standard_only) y;
COMMENT ON VIEW tsetp.facility_year IS 'Each covered fiscal year of each facility and plan period: base, effective rate, target, emissions, reduction and counted (capped) reduction';

CREATE OR REPLACE VIEW tsetp.facility_period_reduction AS
SELECT i.facility_id, i.programme, i.category, i.period_no,
       t.years_covered, t.years_verified, t.first_year, t.last_verified_year,
       t.base_total, t.target_total, t.emissions_total, t.reduction_total, t.counted_total,
       t.excess, t.pending
  FROM tsetp.facility_period_input i
 CROSS JOIN LATERAL tsetp.period_totals(
       i.coverage_start, i.years, i.standard_rate, i.ladder_first_n, i.ladder_last_n, i.ladder_rates,
       i.reduction_cap, i.base_from, i.base_amounts, i.emission_years, i.emission_amounts,
       i.emission_verified, i.relief_years, i.relief_kinds, i.relief_operations, i.relief_values,
       i.relief_standard_only) t;
COMMENT ON VIEW tsetp.facility_period_reduction IS 'Totals per facility and plan period over its covered years: base, target, verified emissions, reduction, capped reduction and excess so far';

DROP FUNCTION tsetp.ladder_rate(text, int, text, int);
DROP FUNCTION tsetp.best_relief(numeric, boolean, text[], text[], numeric[], boolean[]);

GRANT SELECT ON tsetp.facility_period_input TO tsetp_admin;

-- GiST: credit blocks indexed by their serials, for EXCLUDE USING gist
-- (block WITH &&), which proves that no serial is held twice, and for finding
-- the block that holds a serial (block @> serial). The keys are closed spans
-- of serials, stored as tsetp.serial_span (credit_gist.c).
CREATE TYPE tsetp.serial_span;
CREATE FUNCTION tsetp.serial_span_in(cstring) RETURNS tsetp.serial_span
    AS 'MODULE_PATHNAME', 'serial_span_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.serial_span_out(tsetp.serial_span) RETURNS cstring
    AS 'MODULE_PATHNAME', 'serial_span_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE tsetp.serial_span (
    INPUT = tsetp.serial_span_in,
    OUTPUT = tsetp.serial_span_out,
    INTERNALLENGTH = 16,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE tsetp.serial_span IS
    'Closed span of credit serials, [first,last]: the key of the credit GiST operator class';

CREATE FUNCTION tsetp.credit_gist_consistent(internal, tsetp.credit, smallint, oid, internal) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_gist_consistent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_union(internal, internal) RETURNS tsetp.serial_span
    AS 'MODULE_PATHNAME', 'credit_gist_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_compress(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'credit_gist_compress' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_penalty(internal, internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'credit_gist_penalty' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_picksplit(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'credit_gist_picksplit' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_same(tsetp.serial_span, tsetp.serial_span, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'credit_gist_same' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_sortsupport(internal) RETURNS void
    AS 'MODULE_PATHNAME', 'credit_gist_sortsupport' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tsetp.serial_span_in(cstring) IS 'serial_span input: [first,last]';
COMMENT ON FUNCTION tsetp.serial_span_out(tsetp.serial_span) IS 'serial_span output: [first,last]';
COMMENT ON FUNCTION tsetp.credit_gist_consistent(internal, tsetp.credit, smallint, oid, internal) IS
    'GiST support of credit_serial_ops: whether a span can hold a match of && (a block) or @> (a serial); exact';
COMMENT ON FUNCTION tsetp.credit_gist_union(internal, internal) IS
    'GiST support of credit_serial_ops: the span covering the entries';
COMMENT ON FUNCTION tsetp.credit_gist_compress(internal) IS
    'GiST support of credit_serial_ops: a block''s key is its span of serials';
COMMENT ON FUNCTION tsetp.credit_gist_penalty(internal, internal, internal) IS
    'GiST support of credit_serial_ops: how many serials a span grows by to take an entry';
COMMENT ON FUNCTION tsetp.credit_gist_picksplit(internal, internal) IS
    'GiST support of credit_serial_ops: entries sorted by first serial, cut in half';
COMMENT ON FUNCTION tsetp.credit_gist_same(tsetp.serial_span, tsetp.serial_span, internal) IS
    'GiST support of credit_serial_ops: whether two spans are equal';
COMMENT ON FUNCTION tsetp.credit_gist_sortsupport(internal) IS
    'GiST support of credit_serial_ops: sorted index builds, keys in serial order';

CREATE OPERATOR CLASS tsetp.credit_serial_ops
    DEFAULT FOR TYPE tsetp.credit USING gist AS
        OPERATOR 3 tsetp.&& (tsetp.credit, tsetp.credit),
        OPERATOR 16 tsetp.@> (tsetp.credit, bigint),
        FUNCTION 1 tsetp.credit_gist_consistent(internal, tsetp.credit, smallint, oid, internal),
        FUNCTION 2 tsetp.credit_gist_union(internal, internal),
        FUNCTION 3 tsetp.credit_gist_compress(internal),
        FUNCTION 5 tsetp.credit_gist_penalty(internal, internal, internal),
        FUNCTION 6 tsetp.credit_gist_picksplit(internal, internal),
        FUNCTION 7 tsetp.credit_gist_same(tsetp.serial_span, tsetp.serial_span, internal),
        FUNCTION 11 tsetp.credit_gist_sortsupport(internal),
        STORAGE tsetp.serial_span;
COMMENT ON OPERATOR FAMILY tsetp.credit_serial_ops USING gist IS
    'gist operator family credit_serial_ops of tsetp (its operator classes and cross-type operators)';
COMMENT ON OPERATOR CLASS tsetp.credit_serial_ops USING gist IS
    'credit blocks by their serials: && (share a serial), @> (holds a serial); for EXCLUDE USING gist (block WITH &&)';

COMMENT ON FUNCTION tsetp.serials(tsetp.credit) IS
    'Serials of a credit block as the int8range [first, last + 1)';

-- The exclusion constraint, rebuilt on the new operator class: building it
-- checks every holding again.
ALTER TABLE tsetp.holding DROP CONSTRAINT holding_serials_once;
ALTER TABLE tsetp.holding
    ADD CONSTRAINT holding_serials_once EXCLUDE USING gist (block WITH OPERATOR(tsetp.&&));
COMMENT ON CONSTRAINT holding_serials_once ON tsetp.holding IS 'No tonne is ever held twice';

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
    acct_no     text;
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
    taken       tsetp.credit[] := '{}';
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
                              AND pg_catalog.pg_has_role(NEW.requested_by, m.member, 'MEMBER'))) THEN
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
        -- The serials must still be where the transaction left them, unused.
        PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tsetp.account'),
                                                 pg_catalog.hashtext(COALESCE(NEW.from_account, NEW.to_account)));
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
        IF NOT FOUND THEN
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
    SELECT * INTO ck FROM tsetp.credit_kind k WHERE k.programme = NEW.programme AND k.code = NEW.kind;
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
        IF NEW.kind = 'ER' THEN
            vp := tsetp.vintage_period(NEW.programme, NEW.vintage);
            IF vp IS NULL OR NEW.vintage::int - tsetp.lower((SELECT p.years FROM tsetp.plan_period p
                                                              WHERE p.programme = NEW.programme AND p.period_no = vp))::int + 1
                             < COALESCE(prog.excess_from_year, 1) THEN
                PERFORM tsetp.registry_refuse(3003, pg_catalog.format('excess reduction of vintage %s cannot be issued', NEW.vintage),
                    pg_catalog.format('Programme %s issues excess reduction only from year %s of a plan period on.', NEW.programme, prog.excess_from_year),
                    'Use tsetp.issue_excess, which issues for the verified years of the period.');
            END IF;
        END IF;
        IF ck.own_facility_only AND (dst.facility_id IS NULL OR NEW.source IS DISTINCT FROM
                                     (SELECT f.code FROM tsetp.facility f WHERE f.id = dst.facility_id)) THEN
            PERFORM tsetp.registry_refuse(3010, pg_catalog.format('%s credits from %s can only be issued to that facility''s designated account', NEW.kind, NEW.source),
                pg_catalog.format('Kind %s counts only for the facility that made it; account %s is not its designated account.', NEW.kind, dst.number),
                'Issue into the designated account of the source facility.');
        END IF;
        IF NEW.block IS NULL THEN
            UPDATE tsetp.serial_counter SET next_serial = next_serial + want RETURNING next_serial - want INTO first_s;
            NEW.block := tsetp.credit(prog.credit_origin, NEW.kind, NEW.vintage, NEW.source, first_s, first_s + want - 1);
        ELSE
            UPDATE tsetp.serial_counter SET next_serial = GREATEST(next_serial, tsetp.last_serial(NEW.block) + 1);
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
    -- Lock the sending account (before reading its balance for the reserve),
    -- then take its blocks.
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tsetp.account'), pg_catalog.hashtext(src.number));
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
                PERFORM tsetp.registry_refuse(3004, pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                    pg_catalog.format('Serials %s-%s of that line are not in account %s.',
                                      GREATEST(lo, tsetp.first_serial(h.block)), LEAST(hi, tsetp.last_serial(h.block)), src.number),
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
            PERFORM tsetp.registry_refuse(3004, pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                pg_catalog.format('Only %s of its %s serials exist in the registry.', got, want),
                'Check the block with tsetp.balance or tsetp.holding.');
        END IF;
    ELSE
        -- By kind and amount: oldest vintage first, the last block split.
        FOR h IN SELECT x.block, x.first_serial, x.tonnes, x.tx, x.vintage::int AS vint
                   FROM tsetp.holding x
                  WHERE x.account = src.number AND x.kind = NEW.kind AND x.state = 'free'
                  ORDER BY x.vintage, x.first_serial
                    FOR UPDATE LOOP
            IF NEW.type IN ('transfer', 'surrender') AND (NEW.kind = 'ER' OR NEW.type = 'surrender') THEN
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
    ELSIF NEW.type = 'transfer' AND NEW.block IS NOT NULL AND NEW.kind = 'ER' THEN
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

-- The set-wise issuance takes the latest verified year from the engine's
-- totals instead of a second pass over the emissions.
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
    IF NOT EXISTS (SELECT 1 FROM tsetp.credit_kind k WHERE k.programme = $1 AND k.code = 'ER') THEN
        PERFORM tsetp.registry_refuse(3001, pg_catalog.format('programme %s has no credit kind %s', $1, 'ER'),
            pg_catalog.format('Kinds of %s: %s.', $1,
                              (SELECT pg_catalog.string_agg(k.code, ', ' ORDER BY k.code) FROM tsetp.credit_kind k WHERE k.programme = $1)),
            'Use one of the programme''s credit kinds (tsetp.credit_kind).');
    END IF;

    -- One issuer of the programme's excess at a time (as the single version).
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tsetp.issue_excess'), pg_catalog.hashtext($1));

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
              LEFT JOIN (SELECT l.source, pg_catalog.sum(l.amount::numeric) AS issued
                           FROM tsetp.ledger l
                          WHERE l.type = 'issue' AND l.kind = 'ER' AND l.programme = $1
                            AND l.vintage OPERATOR(tsetp.<@) pp.years
                            AND (NOT l.needs_approval
                                 OR EXISTS (SELECT 1 FROM tsetp.approval x WHERE x.transaction_id = l.id AND x.decision = 'approved'))
                            AND NOT EXISTS (SELECT 1 FROM tsetp.ledger c WHERE c.corrects = l.id)
                          GROUP BY l.source) i ON i.source = f.code
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

    -- The serials, set-wise: one move of the counter, a running sum.
    UPDATE tsetp.serial_counter SET next_serial = next_serial + total RETURNING next_serial - total INTO first_s;

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
        SELECT 'issue', x.account, 'ER', x.vintage, x.code, x.tonnes::numeric::tsetp.tco2,
               pg_catalog.format('Excess reduction of period %s, verified years to %s', $2, x.vintage),
               b.block, $1, ARRAY[b.block], false
          FROM plan x
         CROSS JOIN LATERAL (SELECT tsetp.credit(p.credit_origin, 'ER', x.vintage, x.code,
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

-- The request functions are one INSERT into the ledger each; every check is
-- made by the ledger's triggers, as for a direct INSERT. They are PL/pgSQL,
-- which keeps the INSERT's plan for the session (an SQL function plans it
-- on every call before PostgreSQL 18: 15% of a transfer). The table is
-- named with its schema and nothing else is looked up by name, so no
-- search_path can redirect them, and they need no SET clause (which would
-- cost every call a configuration save and restore). They run with the
-- caller's rights.
CREATE OR REPLACE FUNCTION tsetp.transfer(from_account text, to_account text, kind text, amount tsetp.tco2) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result bigint;
BEGIN
    INSERT INTO tsetp.ledger (type, from_account, to_account, kind, amount)
        VALUES ('transfer', $1, $2, $3, $4)
        RETURNING id INTO result;
    RETURN result;
END
$$;

CREATE OR REPLACE FUNCTION tsetp.transfer(from_account text, to_account text, block tsetp.credit) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result bigint;
BEGIN
    INSERT INTO tsetp.ledger (type, from_account, to_account, block)
        VALUES ('transfer', $1, $2, $3)
        RETURNING id INTO result;
    RETURN result;
END
$$;

CREATE OR REPLACE FUNCTION tsetp.surrender(facility_id bigint, period_no int, from_account text, kind text, amount tsetp.tco2) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result bigint;
BEGIN
    INSERT INTO tsetp.ledger (type, facility_id, period_no, from_account, kind, amount)
        VALUES ('surrender', $1, $2, $3, $4, $5)
        RETURNING id INTO result;
    RETURN result;
END
$$;

CREATE OR REPLACE FUNCTION tsetp.retire(from_account text, kind text, amount tsetp.tco2) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result bigint;
BEGIN
    INSERT INTO tsetp.ledger (type, from_account, kind, amount)
        VALUES ('retire', $1, $2, $3)
        RETURNING id INTO result;
    RETURN result;
END
$$;

CREATE OR REPLACE VIEW tsetp.surrendered_credit AS
SELECT l.facility_id, l.period_no,
       COALESCE(tsetp.sum(tsetp.amount(b.block)) FILTER (WHERE q.own_banked), '0'::tsetp.tco2) AS own_banked,
       COALESCE(tsetp.sum(tsetp.amount(b.block)) FILTER (WHERE NOT q.own_banked), '0'::tsetp.tco2) AS other_credits
  FROM tsetp.ledger l
  JOIN tsetp.transaction_status s ON s.id = l.id
  JOIN tsetp.facility f ON f.id = l.facility_id
  JOIN tsetp.programme p ON p.code = f.programme
 CROSS JOIN LATERAL pg_catalog.unnest(l.blocks) AS b(block)
 CROSS JOIN LATERAL (SELECT COALESCE(tsetp.kind(b.block) = 'ER' AND tsetp.source(b.block) = f.code
                                     AND tsetp.origin(b.block) = p.credit_origin
                                     AND tsetp.vintage_period(f.programme, tsetp.vintage(b.block)) < l.period_no, false)) AS q(own_banked)
 WHERE l.type = 'surrender' AND s.status = 'completed'
 GROUP BY l.facility_id, l.period_no;

CREATE OR REPLACE FUNCTION tsetp.projection(facility_id bigint, period_no int)
    RETURNS TABLE (years_reported int, emissions_to_date tsetp.tco2, projected_emissions tsetp.tco2,
                   projected_reduction tsetp.tco2, projected_balance tsetp.tco2,
                   allowed_remaining tsetp.tco2, allowed_remaining_per_year tsetp.tco2)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.years_verified, r.emissions_total,
           x.projected_emissions, x.projected_reduction, x.projected_balance,
           x.allowed_remaining, x.allowed_remaining_per_year
      FROM tsetp.my_facility_period r
     CROSS JOIN LATERAL tsetp.projection(r.years_verified, r.years_covered, r.emissions_total,
                                         r.base_total, r.target_total) AS x
     WHERE r.facility_id = $1 AND r.period_no = $2;
END;
