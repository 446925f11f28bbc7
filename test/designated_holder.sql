-- pgTAP: the designated account's holder is the facility's operator. A
-- change of operator moves the account to the new holder (history kept);
-- the former operator's roles lose access at once and the new operator's
-- gain it (shown with SET SESSION AUTHORIZATION, as each login); the former
-- operator's pending requests from the account are rejected; the holder
-- cannot be set to anyone else, nor the account opened for anyone else.
BEGIN;
SELECT plan(29);
SET LOCAL client_min_messages = warning;
SET search_path = public;
-- Requests in this test are accepted at any hour (the roles' sessions do
-- not pin the clock).
UPDATE tsetp.transaction_rule SET business_hours = false WHERE programme = 'saitama';

CREATE ROLE dh_old IN ROLE tsetp_operator;
CREATE ROLE dh_new IN ROLE tsetp_operator;
CREATE ROLE dh_both IN ROLE tsetp_operator;
CREATE ROLE dh_admin IN ROLE tsetp_admin;
INSERT INTO tsetp.holder_member VALUES ('Old Co', 'dh_old'), ('New Co', 'dh_new'),
                                       ('Old Co', 'dh_both'), ('New Co', 'dh_both'), ('Other Co', 'dh_admin');

INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES
    ('saitama', 'DH1', 'Holder Tower', 'Old Co', '1-1'),
    ('saitama', 'DH2', 'Other Plant', 'Other Co', '2'),
    ('saitama', 'DH3', 'New Site', 'Old Co', '2');
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y WHERE f.code IN ('DH1', 'DH2');
CREATE TEMP TABLE acct AS
SELECT f.code, tsetp.designated_account(f.id) AS number FROM tsetp.facility f WHERE f.code IN ('DH1', 'DH2');
GRANT SELECT ON acct TO PUBLIC;
SELECT tsetp.issue((SELECT number FROM acct WHERE code = 'DH1'), 'SME', 'FY2020', 'P01', '500');
SELECT tsetp.issue((SELECT number FROM acct WHERE code = 'DH2'), 'SME', 'FY2020', 'P02', '100');

SELECT is((SELECT holder FROM tsetp.account WHERE number = (SELECT number FROM acct WHERE code = 'DH1')), 'Old Co',
          'the designated account opens for the operator');
SELECT is((SELECT count(*)::int FROM tsetp.account_holder_history h JOIN acct ON h.account = acct.number
            WHERE acct.code = 'DH1' AND h.holder = 'Old Co' AND h.valid_to IS NULL), 1,
          'its holder is recorded from its opening');

-- Two requests from the account while Old Co operates it: one by a role
-- acting for Old Co only, one by a role acting for both operators.
SET SESSION AUTHORIZATION dh_old;
SELECT is((SELECT count(*)::int FROM tsetp.account WHERE number = (SELECT number FROM acct WHERE code = 'DH1')), 1,
          'the operator''s role sees the account');
SELECT lives_ok($$SELECT tsetp.transfer((SELECT number FROM acct WHERE code = 'DH1'), (SELECT number FROM acct WHERE code = 'DH2'), 'SME', '100')$$,
                'the operator''s role requests a transfer');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION dh_both;
SELECT lives_ok($$SELECT tsetp.transfer((SELECT number FROM acct WHERE code = 'DH1'), (SELECT number FROM acct WHERE code = 'DH2'), 'SME', '50')$$,
                'a role acting for both operators requests a transfer');
RESET SESSION AUTHORIZATION;
CREATE TEMP TABLE req AS
SELECT l.id, l.requested_by FROM tsetp.ledger l WHERE l.type = 'transfer' AND l.from_account = (SELECT number FROM acct WHERE code = 'DH1');
SELECT is((SELECT count(*)::int FROM req r JOIN tsetp.transaction_status s USING (id) WHERE s.status = 'requested'), 2,
          'both wait for approval');
SET SESSION AUTHORIZATION dh_new;
SELECT is((SELECT count(*)::int FROM tsetp.account WHERE number = (SELECT number FROM acct WHERE code = 'DH1')), 0,
          'New Co''s role does not see the account yet');
RESET SESSION AUTHORIZATION;

-- The operator changes.
SET SESSION AUTHORIZATION dh_admin;
UPDATE tsetp.facility SET operator = 'New Co' WHERE code = 'DH1';
RESET SESSION AUTHORIZATION;
SELECT is((SELECT holder FROM tsetp.account WHERE number = (SELECT number FROM acct WHERE code = 'DH1')), 'New Co',
          'the designated account is held by the new operator');
SELECT results_eq($$SELECT h.holder, h.valid_to IS NULL, h.changed_by::text FROM tsetp.account_holder_history h
                     WHERE h.account = (SELECT number FROM acct WHERE code = 'DH1') ORDER BY h.id$$,
                  $$VALUES ('Old Co'::text, false, session_user::text), ('New Co', true, 'dh_admin')$$,
                  'the history keeps both holders, the change by the login that made it');
SELECT ok((SELECT bool_and(h.valid_to = n.valid_from) FROM tsetp.account_holder_history h
             JOIN tsetp.account_holder_history n ON n.account = h.account AND n.id > h.id
            WHERE h.account = (SELECT number FROM acct WHERE code = 'DH1')), 'the former holder''s time ends where the new one''s starts');
SELECT is(ARRAY(SELECT s.status || ' ' || COALESCE(s.decided_by::text, '-') FROM req r JOIN tsetp.transaction_status s USING (id) ORDER BY r.id),
          ARRAY['rejected dh_admin', 'requested -'],
                  'the former operator''s pending request is rejected by the change; one acting for the new operator stays');
SELECT is((SELECT sum(tonnes)::int FROM tsetp.holding WHERE account = (SELECT number FROM acct WHERE code = 'DH1') AND state = 'free'), 450,
          'the rejected request''s units are free again in the account');

-- The former operator loses access at once; the new operator gains it.
SET SESSION AUTHORIZATION dh_old;
SELECT is((SELECT count(*)::int FROM tsetp.account WHERE number = (SELECT number FROM acct WHERE code = 'DH1')), 0,
          'the former operator''s role no longer sees the account');
SELECT is((SELECT count(*)::int FROM tsetp.holding WHERE account = (SELECT number FROM acct WHERE code = 'DH1')), 0,
          'nor its holdings');
SELECT is((SELECT count(*)::int FROM tsetp.ledger WHERE from_account = (SELECT number FROM acct WHERE code = 'DH1')
                                                     OR to_account = (SELECT number FROM acct WHERE code = 'DH1')), 0,
          'nor its transactions');
SELECT throws_ok($$SELECT tsetp.transfer((SELECT number FROM acct WHERE code = 'DH1'), (SELECT number FROM acct WHERE code = 'DH2'), 'SME', '10')$$,
                 '42501', NULL, 'and cannot request from it');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION dh_new;
SELECT is((SELECT sum(tonnes)::int FROM tsetp.holding WHERE account = (SELECT number FROM acct WHERE code = 'DH1') AND state = 'free'), 450,
          'the new operator''s role sees the account''s units');
SELECT lives_ok($$SELECT tsetp.transfer((SELECT number FROM acct WHERE code = 'DH1'), (SELECT number FROM acct WHERE code = 'DH2'), 'SME', '10')$$,
                'and requests from it');
RESET SESSION AUTHORIZATION;

-- The holder cannot be set to anyone else.
SET SESSION AUTHORIZATION dh_admin;
SELECT throws_ok($$UPDATE tsetp.account SET holder = 'Old Co' WHERE number = (SELECT number FROM acct WHERE code = 'DH1')$$,
                 'TR115', NULL, '1015 a designated account''s holder is not set directly');
SELECT throws_ok($$UPDATE tsetp.account SET holder = 'Someone' WHERE facility_id IS NOT NULL$$,
                 'TR115', NULL, '1015 nor in bulk');
SELECT lives_ok($$UPDATE tsetp.account SET holder = holder WHERE number = (SELECT number FROM acct WHERE code = 'DH1')$$,
                'setting it to the operator is no change');
SELECT throws_ok($$INSERT INTO tsetp.account (facility_id, holder) VALUES ((SELECT id FROM tsetp.facility WHERE code = 'DH3'), 'Someone')$$,
                 'TR115', NULL, '1015 a designated account is not opened for another holder');
SELECT is(tsetp.designated_account((SELECT id FROM tsetp.facility WHERE code = 'DH3')), NULL, 'DH3 has no account yet');
INSERT INTO tsetp.account (facility_id) VALUES ((SELECT id FROM tsetp.facility WHERE code = 'DH3'));
RESET SESSION AUTHORIZATION;
SELECT is((SELECT a.holder FROM tsetp.account a JOIN tsetp.facility f ON f.id = a.facility_id WHERE f.code = 'DH3'), 'Old Co',
          'opened without a holder, it is the operator''s');

-- A general account's holder may change; the history keeps it.
CREATE TEMP TABLE gen AS SELECT tsetp.open_account('saitama', 'Broker A') AS number;
UPDATE tsetp.account SET holder = 'Broker B' WHERE number = (SELECT number FROM gen);
SELECT results_eq($$SELECT holder FROM tsetp.account_holder_history WHERE account = (SELECT number FROM gen) ORDER BY id$$,
                  ARRAY['Broker A', 'Broker B'], 'a general account''s holders are recorded too');

-- At approval, the requester must still act for the designated account's
-- holder: a request by a role that stopped acting for it is refused.
CREATE ROLE dh_other IN ROLE tsetp_operator;
INSERT INTO tsetp.holder_member VALUES ('Other Co', 'dh_other');
SET SESSION AUTHORIZATION dh_other;
CREATE TEMP TABLE other_req AS
SELECT tsetp.transfer((SELECT number FROM acct WHERE code = 'DH2'), (SELECT number FROM acct WHERE code = 'DH1'), 'SME', '20') AS id;
RESET SESSION AUTHORIZATION;
GRANT SELECT ON req, other_req TO PUBLIC;
DELETE FROM tsetp.holder_member WHERE member = 'dh_other';
SET SESSION AUTHORIZATION dh_admin;
SELECT throws_ok($$SELECT tsetp.approve((SELECT id FROM other_req))$$, 'TR115', NULL,
                 '1015 a request whose requester no longer acts for the holder is not approved');
SELECT lives_ok($$SELECT tsetp.approve((SELECT id FROM req ORDER BY id DESC LIMIT 1))$$,
                'the request of a role acting for the new operator is approved');
SELECT lives_ok($$SELECT tsetp.reject((SELECT id FROM other_req), 'requester left')$$, 'the refused one can be rejected');
RESET SESSION AUTHORIZATION;

-- Everywhere: every designated account is held by its facility's operator,
-- and its current history row names that holder.
SELECT is((SELECT count(*)::int FROM tsetp.account a JOIN tsetp.facility f ON f.id = a.facility_id
            LEFT JOIN tsetp.account_holder_history h ON h.account = a.number AND h.valid_to IS NULL
            WHERE a.holder <> f.operator OR h.holder IS DISTINCT FROM a.holder), 0,
          'every designated account is held by its operator, as its history says');

SELECT * FROM finish();
ROLLBACK;
