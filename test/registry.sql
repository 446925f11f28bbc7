-- pgTAP: every registry check through the functions and by direct INSERT,
-- with its SQLSTATE (docs/checks.md), and the invariants afterwards.
BEGIN;
SELECT plan(89);
SET LOCAL client_min_messages = warning;
SET search_path = public;
-- Shared fixture of the registry tests (inlined into each file): two
-- Saitama facilities, covered from FY2019 (designated accounts open), base
-- 10,000 t and 20,000 t, F1 verified for FY2020-FY2021; a Tokyo facility;
-- two JVETS general accounts. Clock: Monday 2 June 2025, 11:00 JST.
SET LOCAL tsetp.now = '2025-06-02 11:00+09';
INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES
    ('saitama', 'RF1', 'Omiya Tower', 'Omiya Estate', '1-1'),
    ('saitama', 'RF2', 'Kawagoe Plant', 'Kawagoe Works', '2'),
    ('tokyo', 'RT1', 'Marunouchi Building', 'Marunouchi Co', 'I-1');
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y WHERE f.code IN ('RF1', 'RF2', 'RT1');
INSERT INTO tsetp.base_emission
SELECT f.id, 'FY2020', (CASE f.code WHEN 'RF2' THEN '20000' ELSE '10000' END)::tsetp.tco2, 'historical', NULL
  FROM tsetp.facility f WHERE f.code IN ('RF1', 'RF2', 'RT1');
INSERT INTO tsetp.emission
SELECT f.id, e.fy, e.amount, 'Verifier KK'
  FROM tsetp.facility f
  JOIN (VALUES ('RF1', 'FY2020'::tsetp.fiscal_year, '7000'::tsetp.tco2), ('RF1', 'FY2021', '7500'),
               ('RF2', 'FY2020', '19000')) AS e(code, fy, amount) ON e.code = f.code;
CREATE TEMP TABLE acct (k text PRIMARY KEY, n text NOT NULL);
GRANT SELECT ON acct TO PUBLIC;
INSERT INTO acct
SELECT lower(f.code), tsetp.designated_account(f.id) FROM tsetp.facility f WHERE f.code IN ('RF1', 'RF2', 'RT1');
INSERT INTO acct VALUES ('g1', tsetp.open_account('saitama', 'Broker One')),
                        ('g2', tsetp.open_account('saitama', 'Broker Two')),
                        ('j1', tsetp.open_account('jvets', 'JV Corp')),
                        ('j2', tsetp.open_account('jvets', 'JV Broker'));
CREATE FUNCTION pg_temp.a(k text) RETURNS text LANGUAGE sql STABLE AS 'SELECT n FROM pg_temp.acct WHERE acct.k = $1';
CREATE FUNCTION pg_temp.f(code text) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT id FROM tsetp.facility WHERE facility.code = $1';
CREATE ROLE reg_admin2 IN ROLE tsetp_admin;

-- Issuance and the serial map.
SELECT lives_ok($$SELECT tsetp.issue_excess(pg_temp.f('RF1'), 3)$$, 'issue_excess issues RF1''s excess for FY2020-FY2021');
SELECT is((SELECT sum(tonnes)::int FROM tsetp.holding WHERE account = pg_temp.a('rf1') AND kind = 'ER'), 3900, 'excess of the verified years, whole tonnes');
SELECT throws_ok($$SELECT tsetp.issue_excess(pg_temp.f('RF1'), 3)$$, 'TR409', NULL, '4009 nothing more to issue');
SELECT throws_ok($$SELECT tsetp.issue_excess(pg_temp.f('RF2'), 3)$$, 'TR408', NULL, '4008 second year not verified yet');
SELECT throws_ok($$SELECT tsetp.issue_excess(pg_temp.f('RF1'), 1)$$, 'TR406', NULL, '4006 not covered in period 1');
SELECT lives_ok($$SELECT tsetp.issue(pg_temp.a('rf2'), 'SME', 'FY2020', 'P01', '500');
                  SELECT tsetp.issue(pg_temp.a('rf2'), 'SME', 'FY2017', 'P02', '50');
                  SELECT tsetp.issue(pg_temp.a('rf2'), 'SME', 'FY2025', 'P03', '50');
                  SELECT tsetp.issue(pg_temp.a('rf2'), 'SME', 'FY2005', 'P04', '50');
                  SELECT tsetp.issue(pg_temp.a('rf2'), 'OUT', 'FY2021', 'X1', '5000');
                  SELECT tsetp.issue(pg_temp.a('rf1'), 'OG', 'FY2021', 'RF1', '100');
                  SELECT tsetp.issue(pg_temp.a('g1'), 'RE', 'FY2021', 'SOLAR1', '100');
                  SELECT tsetp.issue(pg_temp.a('j1'), 'JPA', 'FY2024', 'ALLOC', '1000')$$, 'issue credits of several kinds');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, to_account, kind, vintage, source, amount) VALUES ('issue', pg_temp.a('rf1'), 'ER', 'FY2020', 'RF1', '10')$$,
                 'TR303', NULL, '3003 excess reduction of the period''s first year (direct INSERT)');
SELECT throws_ok($$SELECT tsetp.issue(pg_temp.a('rf2'), 'OG', 'FY2021', 'RF1', '10')$$, 'TR310', NULL, '3010 other-gas reduction only to the source facility');
SELECT throws_ok($$SELECT tsetp.issue(pg_temp.a('rf2'), 'XX', 'FY2021', 'RF1', '10')$$, 'TR301', NULL, '3001 unknown kind');
SELECT throws_ok($$SELECT tsetp.issue(pg_temp.a('rf2'), 'SME', 'FY2021', 'P1', '10.5')$$, 'TR307', NULL, '3007 whole tonnes');
SELECT throws_ok($$SELECT tsetp.issue('SAI-D999999', 'SME', 'FY2021', 'P1', '10')$$, 'TR201', NULL, '2001 no such receiving account');
SELECT throws_ok($$INSERT INTO tsetp.holding (block, account, state, tx) VALUES ('SAI/SME/FY2020/P01/2-2', pg_temp.a('rf1'), 'free', 0)$$,
                 '23P01', NULL, 'no serial can be held twice (exclusion constraint)');

-- Transfers: the sending account (1xxx).
SELECT throws_ok($$SELECT tsetp.transfer('SAI-D999999', pg_temp.a('rf2'), 'ER', '10')$$, 'TR101', NULL, '1001 no such sending account');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf2'), 'ER', '100000')$$, 'TR104', NULL, '1004 not enough free units');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, from_account, to_account, kind, amount) VALUES ('transfer', pg_temp.a('rf1'), pg_temp.a('rf2'), 'ER', '3901')$$,
                 'TR104', NULL, '1004 by direct INSERT');
UPDATE tsetp.account SET commitment_reserve = '900' WHERE number = pg_temp.a('j1');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '101')$$, 'TR105', NULL, '1005 commitment reserve');
SELECT lives_ok($$SELECT tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '100')$$, 'JVETS transfer above the reserve takes effect at once');
SELECT is((SELECT status FROM tsetp.transaction_status WHERE id = (SELECT max(id) FROM tsetp.ledger)), 'completed', 'JVETS: no approval');
UPDATE tsetp.account SET commitment_reserve = '0' WHERE number = pg_temp.a('j1');
SELECT throws_ok($$SELECT tsetp.surrender(pg_temp.f('RF2'), 3, pg_temp.a('rf1'), 'ER', '10')$$, 'TR106', NULL, '1006 surrender from another facility''s account');
SELECT throws_ok($$UPDATE tsetp.account SET status = 'closed' WHERE number = pg_temp.a('rf1')$$, 'TR108', NULL, '1008 cannot close an account holding units');
SELECT throws_ok($$DELETE FROM tsetp.account WHERE number = pg_temp.a('g2')$$, 'TR109', NULL, '1009 accounts are never deleted');
SELECT throws_ok($$UPDATE tsetp.account SET number = 'SAI-G999999' WHERE number = pg_temp.a('g2')$$, 'TR109', NULL, '1009 account numbers never change');
UPDATE tsetp.account SET status = 'suspended' WHERE number = pg_temp.a('g2');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('g2'), pg_temp.a('g1'), 'RE', '1')$$, 'TR102', NULL, '1002 suspended sending account');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1')$$, 'TR203', NULL, '2003 suspended receiving account');
UPDATE tsetp.account SET status = 'closed' WHERE number = pg_temp.a('g2');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('g2'), pg_temp.a('g1'), 'RE', '1')$$, 'TR103', NULL, '1003 closed sending account');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('g1'), pg_temp.a('g2'), 'RE', '1')$$, 'TR204', NULL, '2004 closed receiving account');

-- The receiving account (2xxx).
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), 'SAI-D999999', 'ER', '10')$$, 'TR201', NULL, '2001 no such receiving account');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf1'), 'ER', '10')$$, 'TR202', NULL, '2002 source and destination differ');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rt1'), 'ER', '10')$$, 'TR205', NULL, '2005 another programme');
DELETE FROM tsetp.account_route WHERE programme = 'saitama' AND type = 'transfer' AND from_type = 'general' AND to_type = 'designated';
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('g1'), pg_temp.a('rf1'), 'RE', '1')$$, 'TR206', NULL, '2006 route not configured');

-- The units (3xxx).
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf2'), 'OG', '10')$$, 'TR302', NULL, '3002 other-gas reduction is not transferable');
UPDATE tsetp.programme SET excess_from_year = 3 WHERE code = 'saitama';
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf2'), 'ER', '10')$$, 'TR303', NULL, '3003 excess reduction before the configured year');
UPDATE tsetp.programme SET excess_from_year = 2 WHERE code = 'saitama';
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('rf2'), pg_temp.a('rf1'), 'SAI/ER/FY2021/RF1/1-10'::tsetp.credit)$$, 'TR304', NULL, '3004 block not held by the sender');
SELECT lives_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf2'), 'ER', '1000')$$, 'Saitama transfer requested');
SELECT is((SELECT status FROM tsetp.transaction_status WHERE id = (SELECT max(id) FROM tsetp.ledger)), 'requested', 'Saitama: waits for approval');
SELECT is((SELECT sum(tonnes)::int FROM tsetp.holding WHERE account = pg_temp.a('rf1') AND state = 'reserved'), 1000, 'its units are reserved');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf2'), (SELECT block FROM tsetp.holding WHERE state = 'reserved' LIMIT 1))$$,
                 'TR305', NULL, '3005 reserved block cannot move');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf2'), 'ER', '2901')$$, 'TR104', NULL, '1004 reserved units are not free');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, from_account, to_account, kind, block) VALUES ('transfer', pg_temp.a('rf2'), pg_temp.a('rf1'), 'ER', 'SAI/SME/FY2020/P01/1-10')$$,
                 'TR308', NULL, '3008 block and kind disagree');

-- Approval and hours (5xxx).
SELECT throws_ok($$SELECT tsetp.approve((SELECT max(id) FROM tsetp.ledger WHERE type = 'transfer'))$$, 'TR501', NULL, '5001 the requester cannot approve');
SET LOCAL SESSION AUTHORIZATION reg_admin2;
SELECT lives_ok($$SELECT tsetp.approve((SELECT max(id) FROM tsetp.ledger WHERE type = 'transfer'))$$, 'another tsetp_admin approves');
SELECT throws_ok($$SELECT tsetp.approve((SELECT max(id) FROM tsetp.ledger WHERE type = 'transfer'))$$, 'TR503', NULL, '5003 already decided');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT sum(tonnes)::int FROM tsetp.holding WHERE account = pg_temp.a('rf2') AND kind = 'ER' AND state = 'free'), 1000, 'approved: the units moved');
SELECT throws_ok($$SELECT tsetp.approve((SELECT min(id) FROM tsetp.ledger))$$, 'TR503', NULL, '5003 not waiting for approval');
CREATE ROLE reg_bypass BYPASSRLS;
GRANT USAGE ON SCHEMA tsetp TO reg_bypass;
GRANT SELECT, INSERT ON tsetp.ledger, tsetp.approval TO reg_bypass;
SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf2'), 'ER', '1') AS pending_tx \gset
-- (acting for the receiving holder: the transaction is its business too)
INSERT INTO tsetp.holder_member VALUES ('Kawagoe Works', 'reg_bypass');
SET LOCAL SESSION AUTHORIZATION reg_bypass;
SELECT throws_ok(format('SELECT tsetp.approve(%s)', :pending_tx), 'TR502', NULL, '5002 only tsetp_admin approves');
SELECT throws_ok(format('SELECT tsetp.withdraw(%s)', :pending_tx), 'TR509', NULL, '5009 only the requester withdraws');
RESET SESSION AUTHORIZATION;
SELECT lives_ok(format('SELECT tsetp.withdraw(%s)', :pending_tx), 'the requester withdraws');
SELECT is((SELECT status FROM tsetp.transaction_status WHERE id = :pending_tx), 'cancelled', 'withdrawn: cancelled');
SET LOCAL tsetp.now = '2025-06-01 11:00+09';
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '1')$$, 'TR504', NULL, '5004 JVETS on a Sunday');
SET LOCAL tsetp.now = '2025-06-02 18:00+09';
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '1')$$, 'TR504', NULL, '5004 JVETS at 18:00 JST');
SET LOCAL tsetp.now = '2025-06-02 09:59:59+09';
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '1')$$, 'TR504', NULL, '5004 JVETS before 10:00 JST');
SET LOCAL tsetp.now = '2025-06-02 11:00+09';
SELECT throws_ok($$SELECT tsetp.surrender(pg_temp.f('RF1'), 3, pg_temp.a('j1'), 'JPA', '1')$$, 'TR505', NULL, '5005 JVETS has no surrender');

-- Compliance (4xxx).
SELECT throws_ok($$SELECT tsetp.surrender(pg_temp.f('RF2'), 3, pg_temp.a('rf2'), 'OUT', '5000')$$, 'TR404', NULL, '4004 out-of-area cap (1/3 of the obligation)');
SELECT lives_ok($$SELECT tsetp.surrender(pg_temp.f('RF2'), 3, pg_temp.a('rf2'), 'OUT', '2000')$$, 'out-of-area within the cap');
SELECT throws_ok($$SELECT tsetp.surrender(pg_temp.f('RF2'), 3, pg_temp.a('rf2'), 'OUT', '2000')$$, 'TR404', NULL, '4004 pending surrenders count towards the cap');
SELECT throws_ok($$SELECT tsetp.surrender(pg_temp.f('RF2'), 2, pg_temp.a('rf2'), 'SME', '10')$$, 'TR405', NULL, '4005 after the deadline of period 2');
SELECT throws_ok($$SELECT tsetp.surrender(pg_temp.f('RF2'), 1, pg_temp.a('rf2'), 'SME', '10')$$, 'TR406', NULL, '4006 not covered in period 1');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, facility_id, period_no, from_account, block) SELECT 'surrender', pg_temp.f('RF2'), 3, pg_temp.a('rf2'), block FROM tsetp.holding WHERE vintage::text = 'FY2025'$$,
                 'TR401', NULL, '4001 no borrowing from period 4 (direct INSERT)');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, facility_id, period_no, from_account, block) SELECT 'surrender', pg_temp.f('RF2'), 4, pg_temp.a('rf2'), block FROM tsetp.holding WHERE vintage::text = 'FY2017'$$,
                 'TR402', NULL, '4002 FY2017 cannot be carried two periods');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, facility_id, period_no, from_account, block) SELECT 'surrender', pg_temp.f('RF2'), 3, pg_temp.a('rf2'), block FROM tsetp.holding WHERE vintage::text = 'FY2005'$$,
                 'TR407', NULL, '4007 vintage outside every plan period');
SELECT throws_ok($$SELECT tsetp.surrender(pg_temp.f('RF2'), 3, pg_temp.a('rf2'), 'SME', '551')$$, 'TR401', NULL, '4001 by kind: only later-period units would cover it');
SELECT lives_ok($$SELECT tsetp.surrender(pg_temp.f('RF2'), 3, pg_temp.a('rf2'), 'SME', '550')$$, 'surrender banked FY2017 and FY2020 credits for period 3');
UPDATE tsetp.credit_kind SET transferable = true WHERE programme = 'saitama' AND code = 'OG';
SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf2'), 'OG', '10') AS og_tx \gset
SET LOCAL SESSION AUTHORIZATION reg_admin2;
SELECT tsetp.approve(:og_tx);
RESET SESSION AUTHORIZATION;
SELECT throws_ok($$SELECT tsetp.surrender(pg_temp.f('RF2'), 3, pg_temp.a('rf2'), 'OG', '10')$$, 'TR403', NULL, '4003 other-gas reduction of another facility');

-- Corrections.
SELECT throws_ok($$SELECT tsetp.correct((SELECT max(id) FROM tsetp.ledger WHERE type = 'surrender'), 'x')$$, 'TR507', NULL, '5007 a pending transaction cannot be reversed');
SELECT tsetp.issue(pg_temp.a('g1'), 'RE', 'FY2022', 'SOLAR2', '20') IS NOT NULL AS issued;
SELECT max(id) AS re_tx FROM tsetp.ledger \gset
SELECT tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '50') AS j_tx \gset
SELECT lives_ok(format('SELECT tsetp.correct(%s, %L)', :j_tx, 'wrong account'), 'a completed transfer is reversed');
SELECT throws_ok(format('SELECT tsetp.correct(%s, %L)', :j_tx, 'again'), 'TR506', NULL, '5006 only once');
SELECT throws_ok(format('SELECT tsetp.correct(%s, %L)', (SELECT max(id) FROM tsetp.ledger), 'x'), 'TR508', NULL, '5008 a correction cannot be corrected');
SELECT is((SELECT status FROM tsetp.transaction_status WHERE id = :j_tx), 'reversed', 'status reversed');
SELECT tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '40') AS j_tx2 \gset
SELECT tsetp.retire(pg_temp.a('j2'), 'JPA', '140') IS NOT NULL AS retired;
SELECT throws_ok(format('SELECT tsetp.correct(%s, %L)', :j_tx2, 'late'), 'TR309', NULL, '3009 serials no longer free');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('j2'), pg_temp.a('j1'), (SELECT block FROM tsetp.holding WHERE state = 'retired' LIMIT 1))$$, 'TR306', NULL, '3006 retired units cannot move');
-- A correction moves units only out of and into open accounts.
SELECT tsetp.transfer(pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '5') AS j_tx3 \gset
UPDATE tsetp.account SET status = 'suspended' WHERE number = pg_temp.a('j2');
SELECT throws_ok(format('SELECT tsetp.correct(%s, %L)', :j_tx3, 'x'), 'TR102', NULL, '1002 a correction does not take units out of a suspended account');
UPDATE tsetp.account SET status = 'open' WHERE number = pg_temp.a('j2');
UPDATE tsetp.account SET status = 'suspended' WHERE number = pg_temp.a('j1');
SELECT throws_ok(format('SELECT tsetp.correct(%s, %L)', :j_tx3, 'x'), 'TR203', NULL, '2003 nor put them into a suspended one');
UPDATE tsetp.account SET status = 'open' WHERE number = pg_temp.a('j1');
SELECT lives_ok(format('SELECT tsetp.correct(%s, %L)', :j_tx3, 'x'), 'reversed once both accounts are open again');
INSERT INTO acct VALUES ('j3', tsetp.open_account('jvets', 'JV Leaver'));
SELECT tsetp.issue(pg_temp.a('j3'), 'JPA', 'FY2024', 'ALLOC', '5') IS NOT NULL AS issued;
SELECT tsetp.transfer(pg_temp.a('j3'), pg_temp.a('j2'), 'JPA', '5') AS j_tx4 \gset
UPDATE tsetp.account SET status = 'closed' WHERE number = pg_temp.a('j3');
SELECT throws_ok(format('SELECT tsetp.correct(%s, %L)', :j_tx4, 'x'), 'TR204', NULL, '2004 nor into a closed one');
SELECT is((SELECT status FROM tsetp.transaction_status WHERE id = :j_tx4), 'completed', 'the refused correction left the transfer as it was');

-- Numbers come from the registry.
SELECT throws_ok($$INSERT INTO tsetp.account (number, programme, account_type, holder) VALUES ('SAI-G999999', 'saitama', 'general', 'Squatter')$$,
                 'TR110', NULL, '1010 a client cannot choose an account number');
SELECT throws_ok($$INSERT INTO tsetp.ledger (id, type, to_account, kind, vintage, source, amount) VALUES (999999999, 'issue', pg_temp.a('j1'), 'JPA', 'FY2024', 'ALLOC', '1')$$,
                 '428C9', NULL, 'a client cannot choose a transaction id');
SELECT throws_ok($$INSERT INTO tsetp.facility (id, programme, code, name, operator, category) VALUES (999999999, 'saitama', 'RFX', 'X', 'X', '2')$$,
                 '428C9', NULL, 'nor a facility id');
SELECT throws_ok($$INSERT INTO tsetp.ledger (id, type, to_account, kind, vintage, source, amount) OVERRIDING SYSTEM VALUE
                   VALUES (999999999, 'issue', pg_temp.a('j1'), 'JPA', 'FY2024', 'ALLOC', '1')$$,
                 '428C9', 'transaction id 999999999 was not given by the registry', 'not even with OVERRIDING SYSTEM VALUE');

-- Append-only.
SELECT throws_ok($$UPDATE tsetp.ledger SET note = 'x'$$, 'TR511', NULL, '5011 no UPDATE of the ledger');
SELECT throws_ok($$DELETE FROM tsetp.ledger$$, 'TR511', NULL, '5011 no DELETE of the ledger');
SELECT throws_ok($$TRUNCATE tsetp.ledger CASCADE$$, 'TR511', NULL, '5011 no TRUNCATE of the ledger');
SELECT throws_ok($$DELETE FROM tsetp.approval$$, 'TR511', NULL, '5011 no DELETE of approvals');
INSERT INTO tsetp.ledger (type, from_account, to_account, kind, amount, requested_by, requested_at)
VALUES ('transfer', pg_temp.a('j1'), pg_temp.a('j2'), 'JPA', '1', 'someone_else', '2000-01-01');
SELECT is((SELECT requested_by::text || ' ' || requested_at FROM tsetp.ledger ORDER BY id DESC LIMIT 1), current_user::text || ' ' || '2025-06-02 11:00+09'::timestamptz,
          'requested_by and requested_at are stamped, whatever the client wrote');

-- Invariants.
SELECT is((SELECT count(*)::int FROM tsetp.holding a JOIN tsetp.holding b ON a.first_serial < b.first_serial
                                   AND tsetp.serials(a.block) && tsetp.serials(b.block)), 0, 'every serial held once');
SELECT is((SELECT sum(tonnes)::bigint FROM tsetp.holding WHERE state <> 'cancelled'),
          (SELECT sum(CASE WHEN l.type = 'issue' THEN l.amount::numeric WHEN l.type = 'cancel' THEN -l.amount::numeric
                           WHEN l.type = 'correction' AND t.type = 'issue' THEN -l.amount::numeric
                           WHEN l.type = 'correction' AND t.type = 'cancel' THEN l.amount::numeric ELSE 0 END)::bigint
             FROM tsetp.ledger l LEFT JOIN tsetp.ledger t ON t.id = l.corrects),
          'issued - cancelled = holdings');
SELECT is((SELECT count(*)::int FROM tsetp.surrendered_credit), 0, 'nothing surrendered has been approved yet');
SET LOCAL SESSION AUTHORIZATION reg_admin2;
SELECT tsetp.approve(id) FROM tsetp.ledger WHERE type = 'surrender' AND kind = 'SME';
RESET SESSION AUTHORIZATION;
SELECT is((SELECT own_banked::text || ' ' || other_credits FROM tsetp.surrendered_credit WHERE facility_id = pg_temp.f('RF2') AND period_no = 3),
          '0 550', 'surrendered_credit: approved surrenders count');
SELECT is((SELECT sum(amount::numeric)::int FROM tsetp.balance(pg_temp.a('rf2')) WHERE kind = 'SME'), 100, 'balance: the surrendered units left the balance');

SELECT * FROM finish();
ROLLBACK;
