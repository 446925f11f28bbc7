-- The registry's rules, each refused with its check code (docs/checks.md):
-- through the functions and by plain INSERT into tsetp.ledger. Runs in a
-- database of its own so that account and serial numbers are stable.
\set regress_db :DBNAME
CREATE DATABASE tsetp_registry_rules TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
\c tsetp_registry_rules
SET client_min_messages = warning;
CREATE EXTENSION tsetp;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET search_path = tsetp, public;
-- The registry's clock (only a superuser session may pin it): Monday
-- 2 June 2025, 11:00 JST, within period 3 (FY2020-FY2024, deadline 2026-09-30).
SET tsetp.now = '2025-06-02 11:00+09';
SET timezone = 'Asia/Tokyo';
SET datestyle = 'ISO, YMD';

-- Facilities become covered from FY2019: their designated accounts open.
INSERT INTO facility (programme, code, name, operator, category) VALUES
    ('saitama', 'F000123', 'Omiya Tower', 'Omiya Estate', '1-1'),
    ('saitama', 'F000456', 'Kawagoe Plant', 'Kawagoe Works', '2');
SELECT designated_account(1), designated_account(2);
INSERT INTO energy_use SELECT f.id, y, 2000, true FROM facility f, generate_series(2016, 2024) y;
SELECT number, programme, account_type, holder, facility_id, status FROM account ORDER BY number;
SELECT open_account('saitama', 'Urawa Brokers') AS broker, open_account('jvets', 'JV Corp') AS jv1,
       open_account('jvets', 'JV Broker') AS jv2;
INSERT INTO base_emission VALUES (1, 'FY2020', '10000', 'historical', NULL), (2, 'FY2020', '20000', 'historical', NULL);
INSERT INTO emission VALUES (1, 'FY2020', '7000', 'Verifier KK'), (1, 'FY2021', '7500', 'Verifier KK'),
                            (2, 'FY2020', '19000', 'Verifier KK');

-- Issuance: excess reduction of the verified years, from the second year.
SELECT issue_excess(1, 3);
SELECT issue_excess(1, 3);
SELECT issue_excess(2, 3);
-- Set-wise, for the whole programme: nothing left for F000123, F000456 not
-- yet (second year unverified): no rows.
SELECT * FROM issue_excess_all('saitama', 3);
SELECT issue('SAI-D000002', 'SME', 'FY2020', 'P01', '500'),
       issue('SAI-D000002', 'SME', 'FY2017', 'P02', '50'),
       issue('SAI-D000002', 'SME', 'FY2025', 'P03', '50'),
       issue('SAI-D000002', 'OUT', 'FY2021', 'X1', '5000'),
       issue('SAI-D000001', 'OG', 'FY2021', 'F000123', '100'),
       issue('JV-G000004', 'JPA', 'FY2024', 'ALLOC', '1000');
INSERT INTO ledger (type, to_account, kind, vintage, source, amount)
VALUES ('issue', 'SAI-D000001', 'ER', 'FY2020', 'F000123', '10');
SELECT issue('SAI-D000002', 'OG', 'FY2021', 'F000123', '10');
SELECT issue('SAI-D000002', 'SME', 'FY2021', 'P01', '10.5');
SELECT * FROM balance('SAI-D000002');

-- 1xxx the sending account, 2xxx the receiving account.
SELECT transfer('SAI-D999999', 'SAI-D000002', 'ER', '10');
SELECT transfer('SAI-D000001', 'SAI-D000002', 'ER', '10000');
SELECT transfer('SAI-D000001', 'SAI-D000001', 'ER', '10');
SELECT transfer('SAI-D000001', 'SAI-D999999', 'ER', '10');
SELECT transfer('SAI-D000001', 'JV-G000004', 'ER', '10');
UPDATE account SET commitment_reserve = '900' WHERE number = 'JV-G000004';
SELECT transfer('JV-G000004', 'JV-G000005', 'JPA', '101');
UPDATE account SET status = 'suspended' WHERE number = 'SAI-G000003';
SELECT transfer('SAI-D000001', 'SAI-G000003', 'ER', '10');
UPDATE account SET status = 'closed' WHERE number = 'SAI-G000003';
UPDATE account SET status = 'closed' WHERE number = 'SAI-D000001';
DELETE FROM account WHERE number = 'SAI-G000003';

-- 3xxx the units.
SELECT transfer('SAI-D000001', 'SAI-D000002', 'OG', '10');
SELECT transfer('SAI-D000002', 'SAI-D000001', 'SAI/ER/FY2021/F000123/1-10');
INSERT INTO ledger (type, from_account, to_account, kind, block)
VALUES ('transfer', 'SAI-D000002', 'SAI-D000001', 'ER', 'SAI/SME/FY2020/P01/3901-3910');

-- 5xxx approval (Saitama: four-eyes) and business hours (JVETS).
SELECT transfer('SAI-D000001', 'SAI-D000002', 'ER', '1000') AS tx \gset
SELECT id, type, from_account, to_account, kind, amount, blocks, needs_approval FROM ledger WHERE id = :tx;
SELECT status FROM transaction_status WHERE id = :tx;
SELECT transfer('SAI-D000001', 'SAI-D000002', 'SAI/ER/FY2021/F000123/1-10');
SELECT approve(:tx);
CREATE ROLE regress_registry_approver IN ROLE tsetp_admin;
SET SESSION AUTHORIZATION regress_registry_approver;
SELECT approve(:tx);
SELECT approve(:tx);
RESET SESSION AUTHORIZATION;
SELECT status FROM transaction_status WHERE id = :tx;
SELECT * FROM balance('SAI-D000002');
SET tsetp.now = '2025-06-02 18:00+09';
SELECT transfer('JV-G000004', 'JV-G000005', 'JPA', '10');
SET tsetp.now = '2025-06-02 11:00+09';
SELECT transfer('JV-G000004', 'JV-G000005', 'JPA', '10') AS jtx \gset

-- 4xxx compliance: banking, no borrowing, caps, deadline.
SELECT surrender(2, 3, 'SAI-D000002', 'OUT', '5000');
SELECT surrender(2, 2, 'SAI-D000002', 'SME', '10');
SELECT surrender(2, 1, 'SAI-D000002', 'SME', '10');
SELECT surrender(2, 3, 'SAI-D000002', 'SME', '551');
INSERT INTO ledger (type, facility_id, period_no, from_account, block)
VALUES ('surrender', 2, 4, 'SAI-D000002', 'SAI/SME/FY2017/P02/4401-4450');
SELECT surrender(2, 3, 'SAI-D000001', 'ER', '10');
SELECT surrender(2, 3, 'SAI-D000002', 'SME', '550') AS stx \gset
SELECT surrender(2, 3, 'SAI-D000002', 'ER', '1000') AS etx \gset
SET SESSION AUTHORIZATION regress_registry_approver;
SELECT approve(:stx), approve(:etx);
RESET SESSION AUTHORIZATION;
SELECT * FROM surrendered_credit;

-- Corrections: once, and only while the serials are still free.
SELECT correct(:jtx, 'wrong account') AS ctx \gset
SELECT correct(:jtx, 'again');
SELECT correct(:ctx, 'undo the undo');
SELECT correct(:stx, 'surrendered for the wrong period');
SELECT * FROM surrendered_credit;

-- The ledger is append-only, for its owner too.
UPDATE ledger SET note = 'edited';
DELETE FROM ledger;
TRUNCATE approval;

-- Reports.
SELECT transaction_id, type, status, account, counterparty, kind, amount_in, amount_out, correction, corrects, reversed_by
  FROM ledger_report ORDER BY transaction_id, account;
SELECT account, kind, vintage, free, reserved, balance, surrendered, retired FROM account_balance ORDER BY 1, 2, 3;
SELECT * FROM balance_at('SAI-D000002', '2025-06-01 00:00+09');
SELECT * FROM balance_at('SAI-D000002', '2025-06-03 00:00+09');

-- Excess reduction, and the emissions it rests on, change only in READ
-- COMMITTED, where the checks read what others committed.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT issue_excess(1, 3);
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
UPDATE emission SET amount = '7400' WHERE facility_id = 1 AND fy = 'FY2021';
ROLLBACK;
-- A base year earns no excess: recorded in any isolation.
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO emission VALUES (1, 'FY2005', '9000', 'Verifier KK');
ROLLBACK;

DROP ROLE regress_registry_approver;
\c :regress_db
DROP DATABASE tsetp_registry_rules;
