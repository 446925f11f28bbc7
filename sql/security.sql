-- Roles and row-level security (SPEC §2.5): an operator sees and acts on
-- its own facilities and accounts only, a reader sees the report views only,
-- and nobody writes holdings or rewrites the ledger. Runs in a database of
-- its own so that account numbers are stable.
\set regress_db :DBNAME
CREATE DATABASE tsetp_security TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
\c tsetp_security
SET client_min_messages = warning;
CREATE EXTENSION tsetp;
DROP ROLE IF EXISTS regress_sec_op1;
DROP ROLE IF EXISTS regress_sec_op2;
DROP ROLE IF EXISTS regress_sec_reader;
DROP ROLE IF EXISTS regress_sec_admin2;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET search_path = tsetp, public;
SET tsetp.now = '2025-06-02 11:00+09';
SET timezone = 'Asia/Tokyo';
SET datestyle = 'ISO, YMD';

CREATE ROLE regress_sec_op1 IN ROLE tsetp_operator;
CREATE ROLE regress_sec_op2 IN ROLE tsetp_operator;
CREATE ROLE regress_sec_reader IN ROLE tsetp_reader;
CREATE ROLE regress_sec_admin2 IN ROLE tsetp_admin;
INSERT INTO facility (programme, code, name, operator, category) VALUES
    ('saitama', 'F000123', 'Omiya Tower', 'Omiya Estate', '1-1'),
    ('saitama', 'F000456', 'Kawagoe Plant', 'Kawagoe Works', '2');
INSERT INTO energy_use SELECT f.id, y, 2000, true FROM facility f, generate_series(2016, 2024) y;
INSERT INTO holder_member VALUES ('Omiya Estate', 'regress_sec_op1'), ('Kawagoe Works', 'regress_sec_op2');
SELECT issue('SAI-D000001', 'SME', 'FY2021', 'P01', '500'), issue('SAI-D000002', 'SME', 'FY2021', 'P02', '300');

-- Operator 1: its own facility, account and units; nothing of operator 2.
SET SESSION AUTHORIZATION regress_sec_op1;
SELECT id, code, operator FROM facility ORDER BY id;
SELECT number, holder FROM account ORDER BY number;
SELECT * FROM balance('SAI-D000001');
SELECT * FROM balance('SAI-D000002');
SELECT transfer('SAI-D000001', 'SAI-D000002', 'SME', '100') AS tx \gset
SELECT transfer('SAI-D000002', 'SAI-D000001', 'SME', '100');
INSERT INTO ledger (type, from_account, to_account, kind, amount) VALUES ('transfer', 'SAI-D000002', 'SAI-D000001', 'SME', '100');
SELECT issue('SAI-D000001', 'SME', 'FY2021', 'P01', '500');
SELECT approve(:tx);
SELECT correct(1, 'mine');
INSERT INTO holding (block, account, state, tx) VALUES ('SAI/SME/FY2021/P01/900001-900001', 'SAI-D000001', 'free', 0);
UPDATE account SET status = 'open';
DELETE FROM ledger;
SELECT open_account('saitama', 'Omiya Estate');
SELECT open_account('saitama', 'Kawagoe Works');
INSERT INTO emission VALUES (1, 'FY2024', '7000', 'Self Verified');
SELECT transaction_id, type, status, account, counterparty, amount_in, amount_out FROM ledger_report ORDER BY 1, 4;
RESET SESSION AUTHORIZATION;

-- Operator 2 sees the request that concerns its account, and cannot decide on it.
SET SESSION AUTHORIZATION regress_sec_op2;
SELECT id, type, from_account, to_account, amount FROM ledger ORDER BY id;
SELECT withdraw(:tx);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_sec_admin2;
SELECT approve(:tx);
RESET SESSION AUTHORIZATION;

-- A reader: report views only.
SET ROLE regress_sec_reader;
SELECT * FROM account;
SELECT * FROM ledger;
SELECT account, kind, vintage, free, balance FROM account_balance ORDER BY 1, 2, 3;
SELECT transaction_id, type, status, account, amount_in, amount_out FROM ledger_report ORDER BY 1, 4;
RESET ROLE;

-- The clock stays pinned under SET ROLE: the session user is a superuser.
SET ROLE regress_sec_op1;
SELECT clock() = '2025-06-02 11:00+09' AS pinned_for_a_superuser_session;
RESET ROLE;

DROP OWNED BY regress_sec_op1, regress_sec_op2, regress_sec_reader, regress_sec_admin2;
DROP ROLE regress_sec_op1, regress_sec_op2, regress_sec_reader, regress_sec_admin2;
\c :regress_db
DROP DATABASE tsetp_security;
