-- pgTAP: four-eyes is two people, and a rule judged by the clock is judged
-- at the statement that makes the transaction take effect.
--
-- Two people are emulated with SET SESSION AUTHORIZATION from this superuser
-- session (test/four_eyes.sh does the same with real logins). Every way one
-- person can request and approve under different roles (SET ROLE to a group
-- role or another admin's role, in either order, a SECURITY DEFINER function
-- owned by another admin or by a group role, a client-written login) is
-- refused with check 5001; two people pass, and both are recorded.
BEGIN;
SELECT plan(45);
SET LOCAL client_min_messages = warning;
SET search_path = public;
SET LOCAL tsetp.now = '2025-06-02 11:00+09';

-- A facility covered in period 3 with credits to surrender; a broker's two
-- Saitama accounts (transfers wait for approval) and two JVETS accounts.
INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES
    ('saitama', 'FE1', 'Eyes Plant', 'Eyes Works', '2');
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y WHERE f.code = 'FE1';
INSERT INTO tsetp.base_emission
SELECT f.id, 'FY2020', '20000', 'historical', NULL FROM tsetp.facility f WHERE f.code = 'FE1';
CREATE TEMP TABLE acct (k text PRIMARY KEY, n text NOT NULL);
GRANT SELECT ON acct TO PUBLIC;
INSERT INTO acct VALUES ('d', (SELECT tsetp.designated_account(id) FROM tsetp.facility WHERE code = 'FE1')),
                        ('g1', tsetp.open_account('saitama', 'Eyes Broker')),
                        ('g2', tsetp.open_account('saitama', 'Eyes Broker')),
                        ('j1', tsetp.open_account('jvets', 'Eyes JV')),
                        ('j2', tsetp.open_account('jvets', 'Eyes JV Two'));
CREATE FUNCTION pg_temp.a(k text) RETURNS text LANGUAGE sql STABLE AS 'SELECT n FROM pg_temp.acct WHERE acct.k = $1';
SELECT tsetp.issue(pg_temp.a('g1'), 'RE', 'FY2021', 'EYES-SOLAR', '1000') IS NOT NULL AS issued \gset
SELECT tsetp.issue(pg_temp.a('d'), 'SME', 'FY2021', 'EYES-P1', '100') IS NOT NULL AS issued \gset
SELECT tsetp.issue(pg_temp.a('j1'), 'JPA', 'FY2024', 'EYES-ALLOC', '1000') IS NOT NULL AS issued \gset

-- Two people who hold tsetp_admin, a group role both act as, an operator
-- role of the broker that one of them also holds, and a second operator.
CREATE ROLE fe_alice IN ROLE tsetp_admin;
CREATE ROLE fe_bob IN ROLE tsetp_admin;
CREATE ROLE fe_desk IN ROLE tsetp_admin;
GRANT fe_desk TO fe_alice, fe_bob;
CREATE ROLE fe_second IN ROLE tsetp_admin;
GRANT fe_second TO fe_alice;
CREATE ROLE fe_clerk IN ROLE tsetp_operator;
GRANT fe_clerk TO fe_alice;
CREATE ROLE fe_carol IN ROLE tsetp_operator;
INSERT INTO tsetp.holder_member VALUES ('Eyes Broker', 'fe_clerk'), ('Eyes Broker', 'fe_carol');
-- SECURITY DEFINER paths: functions that approve or request as bob's role
-- and as the group role, whoever calls them.
CREATE FUNCTION pg_temp.approve_as_bob(tx bigint) RETURNS void LANGUAGE sql SECURITY DEFINER
    AS 'SELECT tsetp.approve($1)';
ALTER FUNCTION pg_temp.approve_as_bob(bigint) OWNER TO fe_bob;
CREATE FUNCTION pg_temp.approve_as_desk(tx bigint) RETURNS void LANGUAGE sql SECURITY DEFINER
    AS 'SELECT tsetp.approve($1)';
ALTER FUNCTION pg_temp.approve_as_desk(bigint) OWNER TO fe_desk;
CREATE FUNCTION pg_temp.request_as_bob() RETURNS bigint LANGUAGE sql SECURITY DEFINER
    AS $$SELECT tsetp.transfer(pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1')$$;
ALTER FUNCTION pg_temp.request_as_bob() OWNER TO fe_bob;
CREATE TEMP TABLE tx (k text PRIMARY KEY, id bigint);
GRANT ALL ON tx TO PUBLIC;
CREATE FUNCTION pg_temp.tx(k text) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT id FROM pg_temp.tx WHERE tx.k = $1';

-- Alice requests, in every way.
SET LOCAL SESSION AUTHORIZATION fe_alice;
INSERT INTO tx VALUES ('plain', tsetp.transfer(pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1'));
SET LOCAL ROLE fe_desk;
INSERT INTO tx VALUES ('as_desk', tsetp.transfer(pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1'));
INSERT INTO tx VALUES ('as_desk2', tsetp.transfer(pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1'));
RESET ROLE;
INSERT INTO tx VALUES ('via_bob', pg_temp.request_as_bob());
-- A login written by the client is overwritten, as the role is.
INSERT INTO tsetp.ledger (type, from_account, to_account, kind, amount, requested_by, requested_by_login)
    VALUES ('transfer', pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1', 'fe_bob', 'fe_bob');
INSERT INTO tx VALUES ('forged', (SELECT max(id) FROM tsetp.ledger));
INSERT INTO tx VALUES ('two', tsetp.transfer(pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1'));
INSERT INTO tx VALUES ('withdraw', tsetp.transfer(pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1'));
SET LOCAL ROLE fe_clerk;
INSERT INTO tx VALUES ('by_clerk', tsetp.transfer(pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1'));
RESET ROLE;
SELECT is((SELECT count(*)::int FROM tsetp.ledger l JOIN pg_temp.tx t ON t.id = l.id
            WHERE l.requested_by_login = 'fe_alice'), 8, 'every request of alice''s records her login, whatever role she acted as');
SELECT is((SELECT requested_by::text || ' ' || requested_by_login FROM tsetp.ledger WHERE id = pg_temp.tx('as_desk')), 'fe_desk fe_alice',
          'the role acting and the person are both recorded');
SELECT is((SELECT requested_by::text || ' ' || requested_by_login FROM tsetp.ledger WHERE id = pg_temp.tx('via_bob')), 'fe_bob fe_alice',
          'a SECURITY DEFINER request records the owner as the role and the caller as the person');
SELECT is((SELECT requested_by::text || ' ' || requested_by_login FROM tsetp.ledger WHERE id = pg_temp.tx('forged')), 'fe_alice fe_alice',
          'requested_by and requested_by_login written by the client are overwritten');

-- Alice approves her own requests, in every way: refused (5001).
SELECT throws_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('plain')), 'TR501', NULL, '5001 same login, same role');
SET LOCAL ROLE fe_desk;
SELECT throws_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('plain')), 'TR501', NULL, '5001 request as the login, approve after SET ROLE to a group role');
SELECT throws_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('as_desk')), 'TR501', NULL, '5001 request and approve as the same group role');
RESET ROLE;
SET LOCAL ROLE fe_second;
SELECT throws_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('plain')), 'TR501', NULL, '5001 approve after SET ROLE to another admin role');
RESET ROLE;
SELECT throws_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('as_desk')), 'TR501', NULL, '5001 request after SET ROLE, approve as the login');
SELECT throws_ok(format('SELECT pg_temp.approve_as_bob(%s)', pg_temp.tx('plain')), 'TR501', NULL, '5001 approve through a SECURITY DEFINER function owned by another admin');
SELECT throws_ok(format('SELECT pg_temp.approve_as_desk(%s)', pg_temp.tx('plain')), 'TR501', NULL, '5001 approve through a SECURITY DEFINER function owned by a group role');
SELECT throws_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('via_bob')), 'TR501', NULL, '5001 request through a SECURITY DEFINER function, approve as the login');
SELECT throws_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('forged')), 'TR501', NULL, '5001 a client-written requester login does not count');
SELECT throws_ok(format($$INSERT INTO tsetp.approval (transaction_id, decision, decided_by, decided_by_login) VALUES (%s, 'approved', 'fe_bob', 'fe_bob')$$,
                        pg_temp.tx('plain')), 'TR501', NULL, '5001 a client-written approver login does not count');
RESET SESSION AUTHORIZATION;

-- The superuser's SET ROLE between admin roles is one person too.
INSERT INTO tx VALUES ('super', tsetp.transfer(pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1'));
SET LOCAL ROLE fe_bob;
SELECT throws_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('super')), 'TR501', NULL, '5001 a superuser''s request approved after SET ROLE to an admin');
RESET ROLE;
SET LOCAL ROLE fe_desk;
INSERT INTO tx VALUES ('super_desk', tsetp.transfer(pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1'));
SET LOCAL ROLE fe_bob;
SELECT throws_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('super_desk')), 'TR501', NULL, '5001 a superuser switching between two admin roles');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM tsetp.approval a JOIN pg_temp.tx t ON t.id = a.transaction_id), 0, 'none of these approvals was stored');

-- Another person approves: it passes, whatever roles either acts as.
SET LOCAL SESSION AUTHORIZATION fe_bob;
SELECT lives_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('plain')), 'bob approves alice''s request');
SET LOCAL ROLE fe_desk;
SELECT lives_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('as_desk')), 'bob approves as the group role alice requested as');
RESET ROLE;
SELECT lives_ok(format('SELECT pg_temp.approve_as_desk(%s)', pg_temp.tx('as_desk2')), 'bob approves through a SECURITY DEFINER function');
SELECT lives_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('via_bob')), 'bob approves what alice requested through his role''s function');
SELECT lives_ok(format($$INSERT INTO tsetp.approval (transaction_id, decision, decided_by, decided_by_login) VALUES (%s, 'approved', 'fe_alice', 'fe_alice')$$,
                       pg_temp.tx('two')), 'bob approves by direct INSERT, naming alice');
SELECT lives_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('super')), 'bob approves the superuser''s request');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT string_agg(a.decided_by || ' ' || a.decided_by_login, ',' ORDER BY t.k) FROM tsetp.approval a JOIN pg_temp.tx t ON t.id = a.transaction_id),
          'fe_desk fe_bob,fe_desk fe_bob,fe_bob fe_bob,fe_bob fe_bob,fe_bob fe_bob,fe_bob fe_bob',
          'each approval records the role that decided and the login, whatever the client wrote');
SELECT is((SELECT status FROM tsetp.transaction_status WHERE id = pg_temp.tx('two')), 'completed', 'two people: it took effect');
SELECT is((SELECT requested_by_login::text || ' ' || decided_by_login FROM tsetp.ledger_report
            WHERE transaction_id = pg_temp.tx('as_desk') AND account = pg_temp.a('g1')),
          'fe_alice fe_bob', 'ledger_report shows both people');
SELECT is((SELECT decided_by_login::text FROM tsetp.transaction_status WHERE id = pg_temp.tx('plain')), 'fe_bob', 'transaction_status shows the deciding login');

-- Withdrawal: by the requester, a person, whatever role; or a tsetp_admin.
SET LOCAL SESSION AUTHORIZATION fe_carol;
SELECT throws_ok(format('SELECT tsetp.withdraw(%s)', pg_temp.tx('withdraw')), 'TR509', NULL, '5009 another person of the same holder cannot withdraw');
RESET SESSION AUTHORIZATION;
SET LOCAL SESSION AUTHORIZATION fe_alice;
SET LOCAL ROLE fe_clerk;
SELECT lives_ok(format('SELECT tsetp.withdraw(%s)', pg_temp.tx('withdraw')), 'the requester withdraws acting as another, non-admin role');
RESET ROLE;
RESET SESSION AUTHORIZATION;
SELECT is((SELECT decided_by::text || ' ' || decided_by_login FROM tsetp.approval WHERE transaction_id = pg_temp.tx('withdraw')), 'fe_clerk fe_alice',
          'the withdrawal records the role and the person');

-- The clock: pinned by the login that authenticated, read per statement.
SET LOCAL SESSION AUTHORIZATION fe_alice;
SELECT is(tsetp.clock(), '2025-06-02 11:00+09'::timestamptz, 'a superuser login keeps its pin after SET SESSION AUTHORIZATION');
SET LOCAL tsetp.now = '2025-06-02 12:00+09';
SELECT is(tsetp.clock(), '2025-06-02 12:00+09'::timestamptz, 'and moves it (the pin is read at each statement)');
RESET SESSION AUTHORIZATION;
SET LOCAL tsetp.now = '';
DO $$ BEGIN PERFORM pg_catalog.pg_sleep(0.02); END $$;
SELECT ok(tsetp.clock() = statement_timestamp() AND tsetp.clock() > now(), 'unpinned, the clock is the statement''s time, not the transaction''s start');

-- JVETS transfers waiting for approval: a long transaction whose approval
-- crosses the end of business hours (18:00 JST) is refused (5004).
UPDATE tsetp.transaction_rule SET needs_approval = true WHERE programme = 'jvets' AND type = 'transfer';
SET LOCAL tsetp.now = '2025-06-02 17:58+09';
SET LOCAL SESSION AUTHORIZATION fe_alice;
INSERT INTO tx VALUES ('jv1', tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '10')),
                      ('jv2', tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '10'));
RESET SESSION AUTHORIZATION;
SET LOCAL SESSION AUTHORIZATION fe_bob;
SET LOCAL tsetp.now = '2025-06-02 17:59+09';
SELECT lives_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('jv1')), 'approved at 17:59 JST: takes effect');
SET LOCAL tsetp.now = '2025-06-02 18:01+09';
SELECT throws_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('jv2')), 'TR504', NULL, '5004 approved at 18:01 JST, in the same transaction: refused');
SELECT lives_ok(format('SELECT tsetp.reject(%s, %L)', pg_temp.tx('jv2'), 'after hours'), 'it can still be rejected (rejection takes nothing into effect)');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT decided_at FROM tsetp.approval WHERE transaction_id = pg_temp.tx('jv1')), '2025-06-02 17:59+09'::timestamptz,
          'the approval records the moment it was judged at');
SELECT is((SELECT effective_at FROM tsetp.transaction_status WHERE id = pg_temp.tx('jv1')), '2025-06-02 17:59+09'::timestamptz,
          'and that is when the transaction took effect');
SELECT is((SELECT requested_at FROM tsetp.ledger WHERE id = pg_temp.tx('jv1')), '2025-06-02 17:58+09'::timestamptz,
          'the request records its own moment');
-- Taking effect at once (the fast path in C): judged at its statement too.
UPDATE tsetp.transaction_rule SET needs_approval = false WHERE programme = 'jvets' AND type = 'transfer';
SET LOCAL tsetp.now = '2025-06-02 17:59:59+09';
SELECT lives_ok($$SELECT tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '1')$$, 'a transfer at 17:59:59 JST takes effect');
SET LOCAL tsetp.now = '2025-06-02 18:00+09';
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '1')$$, 'TR504', NULL, '5004 the next statement at 18:00 JST: refused');

-- A surrender approved after the period's deadline does not take effect (4005).
SET LOCAL tsetp.now = '2026-09-30 16:00+09';
SET LOCAL SESSION AUTHORIZATION fe_alice;
INSERT INTO tx VALUES ('s1', tsetp.surrender((SELECT id FROM tsetp.facility WHERE code = 'FE1'), 3, pg_temp.a('d'), 'SME', '10')),
                      ('s2', tsetp.surrender((SELECT id FROM tsetp.facility WHERE code = 'FE1'), 3, pg_temp.a('d'), 'SME', '10'));
RESET SESSION AUTHORIZATION;
SET LOCAL SESSION AUTHORIZATION fe_bob;
SET LOCAL tsetp.now = '2026-09-30 23:59+09';
SELECT lives_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('s1')), 'a surrender approved on the deadline day counts');
SET LOCAL tsetp.now = '2026-10-01 00:01+09';
SELECT throws_ok(format('SELECT tsetp.approve(%s)', pg_temp.tx('s2')), 'TR405', NULL, '4005 approved the day after the deadline: refused');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT status FROM tsetp.transaction_status WHERE id = pg_temp.tx('s2')), 'requested', 'the late surrender did not take effect');
SELECT is((SELECT other_credits::text FROM tsetp.surrendered_credit WHERE facility_id = (SELECT id FROM tsetp.facility WHERE code = 'FE1') AND period_no = 3),
          '10', 'only the surrender approved in time counts');

SELECT * FROM finish();
ROLLBACK;
