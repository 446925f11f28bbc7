-- pgTAP: what each role reads, tried as an attacker and as a BI tool, on a
-- registry with every kind of transaction (completed, pending, rejected,
-- withdrawn, reversed, surrendered, retired) and closed and suspended
-- accounts, and with a tsetp.holder_member row whose role was dropped.
--   * every relation of schema tsetp a role may SELECT (from pg_class and
--     has_table_privilege) gives every column of every row to that role's
--     login (SELECT *), and so does every report function it may execute
--     whose arguments it can be given (from pg_proc, by argument name);
--   * a cheap function of the caller's own in a WHERE on each of those
--     relations sees only the rows the relation returns to the caller;
--   * a role that was dropped leaves a holder_member row that breaks no
--     one, and a row naming no role cannot be added.
-- The logins are taken with SET SESSION AUTHORIZATION (as a login would).
BEGIN;
SELECT plan(21);
SET LOCAL client_min_messages = warning;
SET search_path = public;
SET LOCAL tsetp.now = '2025-06-02 11:00+09';

INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES
    ('saitama', 'RA1', 'Omiya Tower', 'Omiya Estate', '1-1'),
    ('saitama', 'RA2', 'Kawagoe Plant', 'Kawagoe Works', '2'),
    ('tokyo', 'RAT', 'Marunouchi Building', 'Marunouchi Co', 'I-1');
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y WHERE f.code LIKE 'RA%';
INSERT INTO tsetp.base_emission
SELECT f.id, 'FY2020', (CASE f.code WHEN 'RA2' THEN '20000' ELSE '10000' END)::tsetp.tco2, 'historical', NULL
  FROM tsetp.facility f WHERE f.code LIKE 'RA%';
INSERT INTO tsetp.emission
SELECT f.id, e.fy, e.amount, 'Verifier KK'
  FROM tsetp.facility f
  JOIN (VALUES ('RA1', 'FY2020'::tsetp.fiscal_year, '7000'::tsetp.tco2), ('RA1', 'FY2021', '7500'),
               ('RA2', 'FY2020', '19000'), ('RAT', 'FY2020', '9000')) AS e(code, fy, amount) ON e.code = f.code;
INSERT INTO tsetp.emission SELECT f.id, 'FY2022', '9500', NULL FROM tsetp.facility f WHERE f.code = 'RA2';
CREATE TEMP TABLE acct (k text PRIMARY KEY, n text NOT NULL);
INSERT INTO acct
SELECT lower(f.code), tsetp.designated_account(f.id) FROM tsetp.facility f WHERE f.code LIKE 'RA%';
INSERT INTO acct VALUES ('g1', tsetp.open_account('saitama', 'Broker One')),
                        ('g2', tsetp.open_account('saitama', 'Kawagoe Works')),
                        ('g3', tsetp.open_account('saitama', 'Broker One')),
                        ('g4', tsetp.open_account('saitama', 'Omiya Estate')),
                        ('j1', tsetp.open_account('jvets', 'Omiya Estate')),
                        ('j2', tsetp.open_account('jvets', 'Broker One'));
CREATE FUNCTION pg_temp.a(k text) RETURNS text LANGUAGE sql STABLE AS 'SELECT n FROM pg_temp.acct WHERE acct.k = $1';
CREATE FUNCTION pg_temp.f(code text) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT id FROM tsetp.facility WHERE facility.code = $1';

CREATE ROLE ra_admin1 LOGIN IN ROLE tsetp_admin;
CREATE ROLE ra_admin2 LOGIN IN ROLE tsetp_admin;
CREATE ROLE ra_op1 LOGIN IN ROLE tsetp_operator;
CREATE ROLE ra_op2 LOGIN IN ROLE tsetp_operator;
CREATE ROLE ra_broker LOGIN IN ROLE tsetp_operator;
CREATE ROLE ra_reader LOGIN IN ROLE tsetp_reader;
CREATE ROLE ra_verifier LOGIN IN ROLE tsetp_verifier;
CREATE ROLE ra_a_gone LOGIN IN ROLE tsetp_operator;
-- (the dropped role's rows first, and its name sorting first: they are met first)
INSERT INTO tsetp.holder_member VALUES ('Omiya Estate', 'ra_a_gone'), ('Marunouchi Co', 'ra_a_gone');
INSERT INTO tsetp.holder_member VALUES ('Omiya Estate', 'ra_op1'), ('Kawagoe Works', 'ra_op2'),
    ('Broker One', 'ra_broker');

-- pgTAP's and this file's temporary objects, for whichever login runs a test.
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind IN ('r', 'S') LOOP
        EXECUTE format('GRANT ALL ON %s TO PUBLIC', r.rel);
    END LOOP;
END
$$;

-- The history: issues; a transfer and a surrender completed; a transfer
-- pending, one rejected, one withdrawn; one reversed; a retirement from an
-- account since closed; a suspended account.
SELECT tsetp.issue_excess(pg_temp.f('RA1'), 3) IS NOT NULL AS issued;
SELECT tsetp.issue(pg_temp.a('ra2'), 'SME', 'FY2020', 'P01', '500') IS NOT NULL AS issued;
SELECT tsetp.issue(pg_temp.a('rat'), (SELECT min(code) FROM tsetp.credit_kind WHERE programme = 'tokyo' AND NOT excess_reduction AND NOT own_facility_only), 'FY2020', 'T01', '40') IS NOT NULL AS issued;
SELECT tsetp.issue(pg_temp.a('j1'), (SELECT min(code) FROM tsetp.credit_kind WHERE programme = 'jvets'), 'FY2021', 'J01', '20') IS NOT NULL AS issued;
SET SESSION AUTHORIZATION ra_admin1;
SELECT tsetp.transfer(pg_temp.a('ra1'), pg_temp.a('ra2'), 'ER', '300') AS t_done \gset
SELECT tsetp.transfer(pg_temp.a('ra1'), pg_temp.a('g1'), 'ER', '20') AS t_corrected \gset
SELECT tsetp.transfer(pg_temp.a('ra1'), pg_temp.a('g3'), 'ER', '7') AS t_closed \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_admin2;
SELECT tsetp.approve(:t_done), tsetp.approve(:t_corrected), tsetp.approve(:t_closed);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_admin1;
SELECT tsetp.surrender(pg_temp.f('RA2'), 4, pg_temp.a('ra2'), 'ER', '100') AS s_done \gset
SELECT tsetp.surrender(pg_temp.f('RA1'), 4, pg_temp.a('ra1'), 'ER', '50') AS s_banked \gset
SELECT tsetp.retire(pg_temp.a('g3'), 'ER', '7') AS r_done \gset
SELECT tsetp.correct(:t_corrected, 'wrong account') IS NOT NULL AS corrected;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_admin2;
SELECT tsetp.approve(:s_done), tsetp.approve(:s_banked), tsetp.approve(:r_done);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_op1;
SELECT tsetp.transfer(pg_temp.a('ra1'), pg_temp.a('g1'), 'ER', '10') AS t_pending \gset
SELECT tsetp.transfer(pg_temp.a('ra1'), pg_temp.a('g2'), 'ER', '5') AS t_rejected \gset
SELECT tsetp.transfer(pg_temp.a('ra1'), pg_temp.a('g4'), 'ER', '4') AS t_withdrawn \gset
SELECT tsetp.withdraw(:t_withdrawn);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_admin2;
SELECT tsetp.reject(:t_rejected, 'no contract');
RESET SESSION AUTHORIZATION;
UPDATE tsetp.account SET status = 'closed' WHERE number = pg_temp.a('g3');
UPDATE tsetp.account SET status = 'suspended' WHERE number = pg_temp.a('g4');
-- The dangling row: its role is dropped.
DROP ROLE ra_a_gone;

SELECT is((SELECT array_agg(DISTINCT s.status ORDER BY s.status) FROM tsetp.transaction_status s
             JOIN tsetp.ledger l USING (id) WHERE l.programme = 'saitama'),
          ARRAY['cancelled', 'completed', 'rejected', 'requested', 'reversed'],
          'the history has transactions in every status');
SELECT ok(EXISTS (SELECT 1 FROM tsetp.holding WHERE state = 'surrendered')
          AND EXISTS (SELECT 1 FROM tsetp.account WHERE status = 'closed' AND number = pg_temp.a('g3'))
          AND EXISTS (SELECT 1 FROM tsetp.holder_member m WHERE m.member = 'ra_a_gone')
          AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ra_a_gone'),
          'credits were surrendered, an account closed, and a holder_member row names a dropped role');

-- Every relation of the schema the role may read, as the current login:
-- SELECT * (the whole row, so that every column is computed); the ones
-- that fail, with the error.
CREATE FUNCTION pg_temp.unreadable() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    r regclass;
    n bigint;
BEGIN
    FOR r IN SELECT c.oid::regclass FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'tsetp'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
                AND pg_catalog.has_table_privilege(c.oid, 'SELECT') ORDER BY 1::text LOOP
        BEGIN
            EXECUTE pg_catalog.format('SELECT pg_catalog.count(x::text) FROM %s x', r) INTO n;
        EXCEPTION WHEN OTHERS THEN
            RETURN NEXT r::text || ': ' || SQLSTATE || ' ' || SQLERRM;
        END;
    END LOOP;
END
$$;

-- Every report function of the schema the login may execute and whose
-- arguments are all ones this knows how to give (by name: a facility and
-- its period, a year, an account, a time): called, all columns, with the
-- login's own facility and account; the ones that fail.
CREATE FUNCTION pg_temp.uncallable(fac bigint, acc text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    p    record;
    args text;
    n    bigint;
BEGIN
    FOR p IN SELECT f.oid, f.oid::regprocedure AS sig, f.proname, f.proargnames, f.proargtypes::regtype[] AS types,
                    f.pronargs, f.proretset
               FROM pg_catalog.pg_proc f
              WHERE f.pronamespace = 'tsetp'::regnamespace AND f.prokind = 'f' AND f.provolatile = 's'
                AND f.pronargs > 0 AND pg_catalog.has_function_privilege(f.oid, 'EXECUTE')
                AND f.prorettype <> 'trigger'::regtype
                AND f.proargnames[1:f.pronargs] <@ ARRAY['facility_id', 'period_no', 'fy', 'account', 'at']::text[]
              ORDER BY 2::text LOOP
        SELECT pg_catalog.string_agg(CASE a.name WHEN 'facility_id' THEN pg_catalog.quote_nullable(fac) || '::bigint'
                                                 WHEN 'period_no' THEN '3'
                                                 WHEN 'fy' THEN '''FY2021''::tsetp.fiscal_year'
                                                 WHEN 'account' THEN pg_catalog.quote_nullable(acc) || '::text'
                                                 WHEN 'at' THEN 'tsetp.clock()' END, ', ' ORDER BY a.i)
          INTO args
          FROM pg_catalog.unnest(p.proargnames[1:p.pronargs]) WITH ORDINALITY AS a(name, i);
        BEGIN
            EXECUTE pg_catalog.format('SELECT pg_catalog.count(x::text) FROM %s.%I(%s) x',
                                      'tsetp', p.proname, args) INTO n;
        EXCEPTION WHEN OTHERS THEN
            RETURN NEXT p.sig::text || ': ' || SQLSTATE || ' ' || SQLERRM;
        END;
    END LOOP;
END
$$;

-- The same functions, given another holder's facility and account: the
-- ones that return anything (a row with a value).
CREATE FUNCTION pg_temp.told(fac bigint, acc text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    p    record;
    args text;
    n    bigint;
BEGIN
    FOR p IN SELECT f.oid::regprocedure AS sig, f.proname, f.proargnames, f.pronargs
               FROM pg_catalog.pg_proc f
              WHERE f.pronamespace = 'tsetp'::regnamespace AND f.prokind = 'f' AND f.provolatile = 's'
                AND f.pronargs > 0 AND pg_catalog.has_function_privilege(f.oid, 'EXECUTE')
                AND f.prorettype <> 'trigger'::regtype
                AND f.proargnames[1:f.pronargs] <@ ARRAY['facility_id', 'period_no', 'fy', 'account', 'at']::text[]
                AND (f.proargnames[1:f.pronargs] && ARRAY['facility_id', 'account']::text[])
              ORDER BY 1::text LOOP
        SELECT pg_catalog.string_agg(CASE a.name WHEN 'facility_id' THEN pg_catalog.quote_nullable(fac) || '::bigint'
                                                 WHEN 'period_no' THEN '3'
                                                 WHEN 'fy' THEN '''FY2021''::tsetp.fiscal_year'
                                                 WHEN 'account' THEN pg_catalog.quote_nullable(acc) || '::text'
                                                 WHEN 'at' THEN 'tsetp.clock()' END, ', ' ORDER BY a.i)
          INTO args
          FROM pg_catalog.unnest(p.proargnames[1:p.pronargs]) WITH ORDINALITY AS a(name, i);
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s.%I(%s) x WHERE NOT (x IS NULL)',
                                  'tsetp', p.proname, args) INTO n;
        IF n > 0 THEN
            RETURN NEXT p.sig::text || ': ' || n || ' row(s)';
        END IF;
    END LOOP;
END
$$;

-- The caller's own leaky function: cheap, so that the planner would call it
-- first, and noting every value it is shown.
CREATE FUNCTION pg_temp.leak(t text) RETURNS boolean LANGUAGE plpgsql STABLE COST 0.0000001 AS $$
BEGIN
    PERFORM pg_catalog.set_config('ra.seen', pg_catalog.current_setting('ra.seen', true) || pg_catalog.chr(30)
                                             || COALESCE(t, '(null)'), true);
    RETURN true;
END
$$;
-- For every relation the login may read, and for the whole row and each of
-- its columns: the values the leaky function saw in a WHERE on it (on that
-- column) that are not among the values the relation returned.
CREATE FUNCTION pg_temp.leaked() RETURNS TABLE (rel text, col text, seen_not_returned bigint) LANGUAGE plpgsql AS $$
DECLARE
    r        record;
    returned text[];
BEGIN
    FOR r IN SELECT c.oid::regclass AS rel, x.col
               FROM pg_catalog.pg_class c
              CROSS JOIN LATERAL (SELECT NULL::text AS col
                                  UNION ALL
                                  SELECT a.attname::text FROM pg_catalog.pg_attribute a
                                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) x
              WHERE c.relnamespace = 'tsetp'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
                AND pg_catalog.has_table_privilege(c.oid, 'SELECT') ORDER BY 1::text, 2 NULLS FIRST LOOP
        PERFORM pg_catalog.set_config('ra.seen', '', true);
        EXECUTE pg_catalog.format('SELECT pg_catalog.array_agg(COALESCE((%1$s)::text, ''(null)'')) FROM %2$s x WHERE pg_temp.leak((%1$s)::text)',
                                  COALESCE('x.' || pg_catalog.quote_ident(r.col), 'x'), r.rel) INTO returned;
        rel := r.rel::text;
        col := COALESCE(r.col, '(whole row)');
        SELECT pg_catalog.count(*) INTO seen_not_returned
          FROM pg_catalog.unnest(pg_catalog.string_to_array(pg_catalog.current_setting('ra.seen'), pg_catalog.chr(30))) s(v)
         WHERE s.v <> '' AND s.v <> ALL (COALESCE(returned, '{}'));
        IF seen_not_returned > 0 THEN
            RETURN NEXT;
        END IF;
    END LOOP;
END
$$;
-- How many rows of the relation the unfiltered query shows (as the owner):
-- the leak test must have had something to find.
SELECT ok((SELECT count(*) FROM tsetp.ledger_report) > (SELECT count(*) FROM tsetp.ledger_report r
                                                         JOIN tsetp.account a ON a.number = r.account
                                                        WHERE a.holder = 'Omiya Estate'),
          'other holders'' rows exist in the filtered views');

-- Point 10: every role reads every relation granted to it, every column.
SET SESSION AUTHORIZATION ra_admin1;
SELECT is_empty('SELECT * FROM pg_temp.unreadable()', 'tsetp_admin reads every relation granted to it, every column');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_op1;
SELECT is_empty('SELECT * FROM pg_temp.unreadable()', 'tsetp_operator reads every relation granted to it, every column');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_reader;
SELECT is_empty('SELECT * FROM pg_temp.unreadable()', 'tsetp_reader reads every relation granted to it, every column');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_verifier;
SELECT is_empty('SELECT * FROM pg_temp.unreadable()', 'tsetp_verifier reads every relation granted to it, every column');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_reader;
SELECT ok((SELECT count(*) FROM tsetp.compliance_report WHERE facility_code = 'RA2' AND credits_acquired > 0) = 1
          AND (SELECT count(*) FROM tsetp.compliance_report WHERE facility_code = 'RA1' AND credits_banked > 0) = 1
          AND (SELECT count(*) FROM tsetp.programme_summary WHERE programme = 'saitama') > 0,
          'a reader sees the surrenders (bought and banked) in compliance_report, and the programme summary');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_admin1;
SELECT is_empty(format('SELECT * FROM pg_temp.uncallable(%s, %L)', pg_temp.f('RA1'), pg_temp.a('ra1')),
                'tsetp_admin calls every report function');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_op2;
SELECT is_empty(format('SELECT * FROM pg_temp.uncallable(%s, %L)', pg_temp.f('RA2'), pg_temp.a('ra2')),
                'tsetp_operator calls every report function for its own facility and account');
RESET SESSION AUTHORIZATION;

SELECT pg_temp.f('RA2') AS ra2_id, pg_temp.a('ra2') AS ra2_account \gset
SET SESSION AUTHORIZATION ra_op1;
SELECT is_empty(format('SELECT * FROM pg_temp.told(%s, %L)', :ra2_id, :'ra2_account'),
                'an operator''s report functions tell nothing of another holder''s facility and account');
RESET SESSION AUTHORIZATION;
SELECT ok((SELECT count(*) FROM pg_temp.told(pg_temp.f('RA2'), pg_temp.a('ra2'))) >= 5,
          'while they tell the prefecture about it');

-- Point 2: the leaky function sees only rows returned, for every relation
-- each role reads.
SET SESSION AUTHORIZATION ra_op1;
SELECT is_empty('SELECT * FROM pg_temp.leaked()', 'an operator''s own function sees only the rows returned to it');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_broker;
SELECT is_empty('SELECT * FROM pg_temp.leaked()', 'so does a broker''s');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_reader;
SELECT is_empty('SELECT * FROM pg_temp.leaked()', 'and a reader''s');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ra_verifier;
SELECT is_empty('SELECT * FROM pg_temp.leaked()', 'and a verifier''s');
RESET SESSION AUTHORIZATION;

-- The dropped role: the other operators read and request as before.
SET SESSION AUTHORIZATION ra_op1;
SELECT is((SELECT string_agg(code, ',' ORDER BY code) FROM tsetp.facility), 'RA1',
          'with a dangling holder_member row, an operator of the same holder sees its facility');
SELECT lives_ok(format('SELECT tsetp.transfer(%L, %L, %L, %L)', pg_temp.a('ra1'), pg_temp.a('ra2'), 'ER', '1'),
                'and requests a transfer');
RESET SESSION AUTHORIZATION;
-- (a JVETS transfer in business hours takes the fast path in C)
SET ROLE ra_op1;
SELECT lives_ok(format('SELECT tsetp.transfer(%L, %L, %L, %L)', pg_temp.a('j1'), pg_temp.a('j2'),
                       (SELECT min(code) FROM tsetp.credit_kind WHERE programme = 'jvets'), '1'),
                'and a transfer that takes effect at once');
RESET ROLE;
SET SESSION AUTHORIZATION ra_op2;
SELECT ok((SELECT count(*) FROM tsetp.account_balance) > 0 AND (SELECT count(*) FROM tsetp.my_facility_period) > 0,
          'an operator of another holder reads its balances and periods');
RESET SESSION AUTHORIZATION;
SELECT throws_ok($$INSERT INTO tsetp.holder_member VALUES ('Omiya Estate', 'ra_nobody')$$, '42704', NULL,
                 'a holder_member row naming no role is refused');

SELECT * FROM finish();
ROLLBACK;
