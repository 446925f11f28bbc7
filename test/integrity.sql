-- pgTAP: tsetp.verify_integrity() finds nothing on a sound registry with
-- issues, transfers approved, rejected, withdrawn and pending, surrenders,
-- a cancellation, corrections, a closed account and a commitment reserve;
-- and each invariant, broken as a superuser with the triggers off (in a
-- subtransaction that is rolled back), is reported under its check_name
-- with the right subject. Every check tsetp.integrity_checks() lists must
-- be provoked by some case here.
BEGIN;
SELECT plan(40);
SET LOCAL client_min_messages = warning;
SET LOCAL search_path = public, tsetp;

CREATE ROLE int_clerk IN ROLE tsetp_admin;
CREATE ROLE int_approver IN ROLE tsetp_admin;
INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES
    ('saitama', 'INT1', 'First', 'Int Op1', '1-1'), ('saitama', 'INT2', 'Second', 'Int Op2', '1-1'),
    ('saitama', 'INT3', 'Third', 'Int Op3', '1-1');
INSERT INTO tsetp.energy_use SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2006, 2024) y
 WHERE f.code LIKE 'INT%';
INSERT INTO tsetp.base_emission SELECT f.id, 'FY2011', '10000', 'historical', NULL FROM tsetp.facility f WHERE f.code LIKE 'INT%';
INSERT INTO tsetp.emission SELECT f.id, y, '6000', 'Int Verifier' FROM tsetp.facility f, generate_series(2020, 2021) y
 WHERE f.code LIKE 'INT%';
SELECT max(id) FILTER (WHERE code = 'INT1') AS f1, max(id) FILTER (WHERE code = 'INT2') AS f2,
       max(id) FILTER (WHERE code = 'INT3') AS f3,
       designated_account(max(id) FILTER (WHERE code = 'INT1')) AS d1,
       designated_account(max(id) FILTER (WHERE code = 'INT2')) AS d2,
       designated_account(max(id) FILTER (WHERE code = 'INT3')) AS d3
  FROM tsetp.facility WHERE code LIKE 'INT%' \gset

-- Registry activity: the prefecture's two clerks (four-eyes).
SET tsetp.now = '2023-06-01 10:00+09';
SET SESSION AUTHORIZATION int_clerk;
SELECT issue_excess(:f1, 3) IS NOT NULL AS x, issue_excess(:f2, 3) IS NOT NULL AS y \gset
SELECT open_account('saitama', 'Int Broker') AS g1, open_account('saitama', 'Int Empty') AS g2,
       open_account('jvets', 'Int Participant') AS jv1, open_account('jvets', 'Int Buyer') AS jv2 \gset
SELECT transfer(:'d1', :'g1', 'ER', '1000') AS t_approved \gset
SELECT transfer(:'d1', :'g1', 'ER', '100') AS t_rejected \gset
SELECT transfer(:'d1', :'g1', 'ER', '50') AS t_withdrawn \gset
SELECT transfer(:'d1', :'g1', 'ER', '10') AS t_pending \gset
SELECT withdraw(:t_withdrawn);
SELECT issue(:'g1', 'OUT', 'FY2021', 'INT-PROJECT', '2000') IS NOT NULL AS x \gset
SELECT transfer(:'g1', :'d2', 'OUT', '1500') AS t_out \gset
SELECT issue(:'g1', 'RE', 'FY2021', 'INT-SOLAR', '300') AS re_block \gset
SELECT ledger.id AS re_issue FROM ledger WHERE block = :'re_block' \gset
SELECT issue(:'g1', 'RE', 'FY2021', 'INT-SOLAR', '20') AS re_block2 \gset
SELECT ledger.id AS re_issue2 FROM ledger WHERE block = :'re_block2' \gset
SELECT cancel(:'g1', split_head(:'re_block', 100), 'Cancelled for a test') AS t_cancel \gset
SELECT transfer(:'g1', :'d3', 'RE', '50') AS t_re \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION int_approver;
SELECT approve(:t_approved), approve(:t_out), approve(:t_re), reject(:t_rejected, 'Not agreed');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION int_clerk;
SELECT surrender(:f2, 3, :'d2', 'OUT', '1000') AS s_out \gset
SELECT surrender(:f1, 3, :'d1', 'ER', '500') AS s_er \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION int_approver;
SELECT approve(:s_out), approve(:s_er);
SELECT correct(:t_re, 'Wrong account') AS c_re \gset
SELECT correct(:re_issue2, 'Issued in error') AS c_issue \gset
UPDATE account SET status = 'closed' WHERE number = :'g2';
UPDATE account SET commitment_reserve = '100' WHERE number = :'jv1';
SELECT issue(:'jv1', 'JPA', 'FY2021', 'INT-JV', '500') IS NOT NULL AS x \gset
SELECT transfer(:'jv1', :'jv2', 'JPA', '300') AS t_jv \gset
RESET SESSION AUTHORIZATION;
RESET tsetp.now;
SELECT id AS i1 FROM ledger WHERE type = 'issue' AND source = 'INT1' \gset
SELECT id AS i2 FROM ledger WHERE type = 'issue' AND source = 'INT2' \gset

SELECT is((SELECT count(*) FROM ledger l JOIN transaction_status s USING (id)
            WHERE l.id >= :i1 AND s.status IN ('requested', 'completed', 'rejected', 'cancelled', 'reversed')),
          (SELECT count(*) FROM ledger WHERE id >= :i1),
          'the registry activity is recorded');
SELECT is_empty($$SELECT * FROM tsetp.verify_integrity()$$, 'a sound registry: verify_integrity() returns no rows');

-- Each case breaks the stored state in a subtransaction, triggers off, and
-- reads the findings before the subtransaction is rolled back.
CREATE TEMP TABLE provoked (check_name text, subject text);
-- The case holds when want_check names want_subject and every other
-- finding is of a check in also: what the corruption breaks as well (a
-- unit moved outside the ledger is also a balance the ledger does not give).
CREATE FUNCTION pg_temp.provoke(want_check text, want_subject text, also text[], corruption text) RETURNS boolean
    LANGUAGE plpgsql AS $$
DECLARE
    found text[];
    hit   boolean;
    other text[];
BEGIN
    BEGIN
        SET LOCAL session_replication_role = replica;
        EXECUTE corruption;
        SET LOCAL session_replication_role = origin;
        SELECT array_agg(v.check_name || ' ' || v.subject ORDER BY v.check_name, v.subject),
               bool_or(v.check_name = want_check AND v.subject = want_subject),
               array_agg(DISTINCT v.check_name) FILTER (WHERE v.check_name <> want_check AND v.check_name <> ALL (also))
          INTO found, hit, other
          FROM tsetp.verify_integrity() v;
        RAISE EXCEPTION USING ERRCODE = 'TI000', MESSAGE = 'undo the corruption';
    EXCEPTION WHEN SQLSTATE 'TI000' THEN
        NULL;
    END;
    IF hit AND other IS NULL THEN
        INSERT INTO provoked VALUES (want_check, want_subject);
        RETURN true;
    END IF;
    RAISE WARNING 'wanted % % (and only %), found %', want_check, want_subject, also, found;
    RETURN false;
END
$$;

SELECT ok(pg_temp.provoke('line_balance', 'SAI/RE/FY2021/INT-SOLAR',
    '{account_balance,holding_state}',
    format($$UPDATE tsetp.holding SET state = 'cancelled' WHERE account = %L AND kind = 'RE' AND state = 'free'$$, :'g1')),
    'line_balance: free units flipped to cancelled');
SELECT tsetp.credit('SAI', 'RE', 'FY2021', 'INT-SOLAR', first_serial + 1, first_serial + 1) AS twice, tx AS twice_tx
  FROM holding WHERE account = :'g1' AND kind = 'RE' AND state = 'free' AND tonnes > 2
 ORDER BY first_serial LIMIT 1 \gset
SELECT ok(pg_temp.provoke('serial_overlap', :'twice',
    '{account_balance,line_balance,serial_gap}',
    format($$ALTER TABLE tsetp.holding DROP CONSTRAINT holding_serials_once;
             INSERT INTO tsetp.holding (block, account, state, tx) VALUES (%L, %L, 'free', %s)$$, :'twice', :'g1', :twice_tx)),
    'serial_overlap: a serial held twice');
SELECT ok(pg_temp.provoke('serial_unissued',
    (SELECT tsetp.credit('SAI', 'RE', 'FY2021', 'INT-SOLAR', next_serial + 10, next_serial + 19)::text FROM serial_counter),
    '{account_balance,holding_transaction,line_balance,serial_counter,serial_gap}',
    format($$INSERT INTO tsetp.holding (block, account, state, tx)
             SELECT tsetp.credit('SAI', 'RE', 'FY2021', 'INT-SOLAR', next_serial + 10, next_serial + 19), %L, 'free', %s
               FROM tsetp.serial_counter$$, :'g1', :re_issue)),
    'serial_unissued: units that were never issued');
SELECT ok(pg_temp.provoke('serial_gap', :'re_block',
    '{transaction_holdings}',
    format($$DELETE FROM tsetp.holding WHERE tx = %s$$, :t_cancel)),
    'serial_gap: the cancelled serials are gone from the holdings');
SELECT ok(pg_temp.provoke('serial_counter', 'tsetp.serial_counter',
    '{}',
    $$UPDATE tsetp.serial_counter SET next_serial = 1$$),
    'serial_counter: the counter behind the issued serials');
SELECT ok(pg_temp.provoke('holding_transaction', (SELECT block::text FROM holding WHERE tx = :t_cancel),
    '{holding_state,transaction_holdings}',
    format($$UPDATE tsetp.holding SET tx = %s WHERE tx = %s$$, :i2, :t_cancel)),
    'holding_transaction: a holding names a transaction that did not move it');
SELECT ok(pg_temp.provoke('holding_state', :'g1',
    '{account_balance}',
    format($$UPDATE tsetp.holding SET state = 'surrendered' WHERE account = %L AND kind = 'ER' AND state = 'free'$$, :'g1')),
    'holding_state: free units marked surrendered');
SELECT ok(pg_temp.provoke('transaction_holdings', 'transaction ' || :t_pending,
    '{account_balance,line_balance,serial_gap}',
    format($$DELETE FROM tsetp.holding WHERE tx = %s$$, :t_pending)),
    'transaction_holdings: a pending transfer lost its reserved units');
SELECT ok(pg_temp.provoke('ledger_blocks', 'transaction ' || :t_approved,
    '{}',
    format($$UPDATE tsetp.ledger SET amount = '1001' WHERE id = %s$$, :t_approved)),
    'ledger_blocks: an amount that disagrees with the blocks');
SELECT ok(pg_temp.provoke('ledger_programme', 'transaction ' || :t_jv,
    '{}',
    format($$UPDATE tsetp.ledger SET programme = 'saitama' WHERE id = %s$$, :t_jv)),
    'ledger_programme: a transaction of another programme than its accounts');
SELECT ok(pg_temp.provoke('account_balance', :'d3',
    '{holding_state}',
    format($$UPDATE tsetp.holding SET account = %L WHERE account = %L AND kind = 'ER' AND state = 'free'$$, :'d3', :'d1')),
    'account_balance: units moved without a transaction');
SELECT ok(pg_temp.provoke('negative_balance', :'d3',
    '{account_balance}',
    format($$UPDATE tsetp.ledger SET from_account = %L WHERE id = %s$$, :'d3', :t_approved)),
    'negative_balance: a transfer out of an account that never had the units');
SELECT ok(pg_temp.provoke('closed_account', :'g2',
    '{account_balance,holding_state}',
    format($$UPDATE tsetp.holding SET account = %L WHERE account = %L AND kind = 'ER' AND state = 'free'$$, :'g2', :'g1')),
    'closed_account: a closed account holds units');
SELECT ok(pg_temp.provoke('holding_kind', :'jv2',
    '{account_balance,holding_state}',
    format($$UPDATE tsetp.holding SET account = %L WHERE account = %L AND kind = 'RE' AND state = 'free'$$, :'jv2', :'g1')),
    'holding_kind: RE held in a JVETS account');
SELECT ok(pg_temp.provoke('designated_account', 'INT3',
    '{ledger_programme}',
    format($$UPDATE tsetp.account SET programme = 'tokyo' WHERE number = %L$$, :'d3')),
    'designated_account: a designated account in another programme');
SELECT ok(pg_temp.provoke('designated_holder', :'d3',
    '{}',
    format($$UPDATE tsetp.account SET holder = 'Int Someone Else' WHERE number = %L$$, :'d3')),
    'designated_holder: a designated account held by another than the operator');
SELECT ok(pg_temp.provoke('commitment_reserve', :'jv1',
    '{}',
    format($$UPDATE tsetp.account SET commitment_reserve = '250' WHERE number = %L$$, :'jv1')),
    'commitment_reserve: a transfer left the account below its reserve');
SELECT ok(pg_temp.provoke('surrender_cap', 'INT2',
    '{}',
    $$UPDATE tsetp.credit_kind SET cap_numerator = 1, cap_denominator = 100 WHERE programme = 'saitama' AND code = 'OUT'$$),
    'surrender_cap: surrendered OUT beyond the cap');
SELECT ok(pg_temp.provoke('surrender_rules', 'INT3',
    '{}',
    format($$UPDATE tsetp.ledger SET facility_id = %s WHERE id = %s$$, :f3, :s_er)),
    'surrender_rules: a surrender from another facility''s designated account');
SELECT ok(pg_temp.provoke('excess_over_issued', 'INT1',
    '{}',
    format($$UPDATE tsetp.emission SET amount = '9000' WHERE facility_id = %s AND fy = 'FY2021'$$, :f1)),
    'excess_over_issued: the verified emissions the issue rests on changed');
SELECT ok(pg_temp.provoke('excess_origin', 'INT1',
    '{ledger_blocks}',
    format($$UPDATE tsetp.ledger SET block = tsetp.credit('TKY', 'ER', vintage, source, tsetp.first_serial(block), tsetp.last_serial(block))
              WHERE id = %s$$, :i1)),
    'excess_origin: excess reduction of another origin');
SELECT ok(pg_temp.provoke('excess_account', 'INT2',
    '{account_balance,holding_state}',
    format($$UPDATE tsetp.ledger SET to_account = %L WHERE id = %s$$, :'g1', :i2)),
    'excess_account: excess reduction issued into a general account');
SELECT ok(pg_temp.provoke('excess_vintage', 'INT2',
    '{excess_over_issued}',
    format($$UPDATE tsetp.emission SET verified_by = NULL WHERE facility_id = %s AND fy = 'FY2021'$$, :f2)),
    'excess_vintage: the vintage year is no longer verified');
SELECT ok(pg_temp.provoke('four_eyes', 'transaction ' || :t_approved,
    '{}',
    format($$UPDATE tsetp.approval SET decided_by_login = 'int_clerk' WHERE transaction_id = %s$$, :t_approved)),
    'four_eyes: approved by its requester');
SELECT ok(pg_temp.provoke('approval_target', 'transaction ' || :i2,
    '{}',
    format($$INSERT INTO tsetp.approval (transaction_id, decision, decided_by, decided_by_login, decided_at)
             VALUES (%s, 'rejected', 'int_approver', 'int_approver', '2023-06-02')$$, :i2)),
    'approval_target: a decision on an issue');
SELECT ok(pg_temp.provoke('correction', 'transaction ' || :c_re,
    '{account_balance,holding_state}',
    format($$UPDATE tsetp.ledger SET to_account = %L WHERE id = %s$$, :'d2', :c_re)),
    'correction: a correction that does not mirror what it reverses');
SELECT ok(pg_temp.provoke('append_order', 'transaction ' || :t_approved,
    '{}',
    format($$UPDATE tsetp.approval SET decided_at = '2000-01-01' WHERE transaction_id = %s$$, :t_approved)),
    'append_order: an approval dated before its request');
SELECT ok(pg_temp.provoke('holder_member_role', 'Int Op1',
    '{}',
    $$INSERT INTO tsetp.holder_member VALUES ('Int Op1', 'int_no_such_role')$$),
    'holder_member_role: a member that is no role');
SELECT pg_sequence_last_value(pg_get_serial_sequence('tsetp.ledger', 'id')::regclass) AS ledger_seq \gset
SELECT ok(pg_temp.provoke('sequence_behind', pg_get_serial_sequence('tsetp.ledger', 'id'),
    '{}',
    $$SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('tsetp.ledger', 'id'), 1)$$),
    'sequence_behind: the ledger''s identity behind its ids');
-- (setval is not rolled back)
SELECT setval(pg_get_serial_sequence('tsetp.ledger', 'id'), :ledger_seq) IS NOT NULL AS x \gset
SELECT ok(pg_temp.provoke('coverage', 'INT3',
    '{}',
    format($$DELETE FROM tsetp.coverage WHERE facility_id = %s$$, :f3)),
    'coverage: stored coverage that the rule does not give');
SELECT ok(pg_temp.provoke('base_revision', 'INT3',
    '{}',
    format($$INSERT INTO tsetp.base_emission VALUES (%s, 'FY2022', '10100', 'historical', 'weather')$$, :f3)),
    'base_revision: a revision for the weather, below the threshold');

-- Every check is provoked by some case above (a new check needs its own).
SELECT is_empty($$SELECT c.check_name FROM tsetp.integrity_checks() c
                   WHERE c.check_name NOT IN (SELECT p.check_name FROM provoked p)$$,
                'every check of integrity_checks() was provoked by a corruption');
SELECT is_empty($$SELECT 1 FROM pg_temp.provoked p
                   WHERE p.check_name NOT IN (SELECT c.check_name FROM tsetp.integrity_checks() c)$$,
                'integrity_checks() lists every check that was reported');
SELECT is_empty($$SELECT * FROM tsetp.verify_integrity()$$, 'the corruptions were all rolled back');

-- Who may run it: tsetp_admin only; it runs as the owner with a fixed path.
SELECT ok(has_function_privilege('tsetp_admin', 'tsetp.verify_integrity()', 'EXECUTE')
          AND NOT has_function_privilege('tsetp_operator', 'tsetp.verify_integrity()', 'EXECUTE')
          AND NOT has_function_privilege('tsetp_reader', 'tsetp.verify_integrity()', 'EXECUTE')
          AND NOT has_function_privilege('tsetp_verifier', 'tsetp.verify_integrity()', 'EXECUTE')
          AND NOT has_function_privilege('public', 'tsetp.verify_integrity()', 'EXECUTE'),
          'only tsetp_admin may execute verify_integrity()');
SELECT ok((SELECT p.prosecdef AND p.proconfig @> ARRAY['search_path=pg_catalog, tsetp, pg_temp']
             AND pg_get_userbyid(p.proowner) = (SELECT pg_get_userbyid(e.extowner) FROM pg_extension e WHERE e.extname = 'tsetp')
             FROM pg_proc p WHERE p.oid = 'tsetp.verify_integrity()'::regprocedure),
          'verify_integrity() is SECURITY DEFINER, owned by the extension owner, with a fixed search_path');
SET ROLE int_clerk;
SELECT is((SELECT count(*) FROM tsetp.verify_integrity()), 0::bigint, 'a tsetp_admin runs it');
RESET ROLE;
CREATE ROLE int_operator IN ROLE tsetp_operator;
SET ROLE int_operator;
SELECT throws_ok($$SELECT * FROM tsetp.verify_integrity()$$, '42501', NULL, 'an operator may not run it');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
