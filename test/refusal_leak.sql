-- pgTAP: no refusal tells an operator about another holder's business.
-- An operator (SET SESSION AUTHORIZATION: another person) tries every refusal it
-- can reach, aimed at other holders' accounts, facilities, serials and
-- transactions where it can; each error's message, DETAIL and HINT is
-- captured (GET STACKED DIAGNOSTICS) and searched for what the operator
-- may not know: other holders' account numbers, holders, facility codes and
-- names, role names, balances, transaction ids, serial numbers and times,
-- computed from the data. A string counts as told when the operator could
-- not read it in any row of any relation it may read, and did not write it
-- into the request itself. The check codes are read from the functions'
-- source; each one an operator can reach must have been tried.
BEGIN;
SELECT plan(4);
SET LOCAL client_min_messages = warning;
SET search_path = public;
SET LOCAL tsetp.now = '2025-05-13 09:17+09';
-- Distinctive ids and serials, so that a number in a message is one of them.
SELECT setval(pg_get_serial_sequence('tsetp.ledger', 'id'), greatest(900000, (SELECT coalesce(max(id), 0) FROM tsetp.ledger)));
UPDATE tsetp.serial_counter SET next_serial = greatest(next_serial, 7700000);

INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES
    ('saitama', 'RL-OWN', 'Omiya Tower', 'Omiya Estate', '1-1'),
    ('saitama', 'RL-OTHER', 'Kawagoe Plant', 'Kawagoe Works', '2'),
    ('tokyo', 'RL-TKY', 'Marunouchi Building', 'Marunouchi Co', 'I-1');
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y WHERE f.code LIKE 'RL-%';
INSERT INTO tsetp.base_emission
SELECT f.id, 'FY2020', (CASE f.code WHEN 'RL-OTHER' THEN '20000' ELSE '10000' END)::tsetp.tco2, 'historical', NULL
  FROM tsetp.facility f WHERE f.code LIKE 'RL-%';
INSERT INTO tsetp.emission
SELECT f.id, e.fy, e.amount, 'Verifier KK'
  FROM tsetp.facility f
  JOIN (VALUES ('RL-OWN', 'FY2020'::tsetp.fiscal_year, '7000'::tsetp.tco2), ('RL-OWN', 'FY2021', '7500'),
               ('RL-OTHER', 'FY2020', '16000'), ('RL-OTHER', 'FY2021', '15000')) AS e(code, fy, amount) ON e.code = f.code;
CREATE TEMP TABLE acct (k text PRIMARY KEY, n text NOT NULL);
INSERT INTO acct
SELECT lower(f.code), tsetp.designated_account(f.id) FROM tsetp.facility f WHERE f.code LIKE 'RL-%';
INSERT INTO acct VALUES ('own_g', tsetp.open_account('saitama', 'Omiya Estate')),
                        ('own_closed', tsetp.open_account('saitama', 'Omiya Estate')),
                        ('own_susp', tsetp.open_account('saitama', 'Omiya Estate')),
                        ('own_jv', tsetp.open_account('jvets', 'Omiya Estate')),
                        ('oth_g', tsetp.open_account('saitama', 'Broker One')),
                        ('oth_closed', tsetp.open_account('saitama', 'Broker One')),
                        ('oth_susp', tsetp.open_account('saitama', 'Kawagoe Works')),
                        ('oth_jv', tsetp.open_account('jvets', 'JV Other'));
CREATE FUNCTION pg_temp.a(k text) RETURNS text LANGUAGE sql STABLE AS 'SELECT n FROM pg_temp.acct WHERE acct.k = $1';
CREATE FUNCTION pg_temp.f(code text) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT id FROM tsetp.facility WHERE facility.code = $1';

CREATE ROLE rl_admin1 LOGIN IN ROLE tsetp_admin;
CREATE ROLE rl_admin2 LOGIN IN ROLE tsetp_admin;
CREATE ROLE rl_op LOGIN IN ROLE tsetp_operator;
CREATE ROLE rl_other LOGIN IN ROLE tsetp_operator;
CREATE ROLE rl_broker LOGIN IN ROLE tsetp_operator;
INSERT INTO tsetp.holder_member VALUES ('Omiya Estate', 'rl_op'), ('Kawagoe Works', 'rl_other'),
    ('Broker One', 'rl_broker'), ('JV Other', 'rl_broker');
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind IN ('r', 'S') LOOP
        EXECUTE format('GRANT ALL ON %s TO PUBLIC', r.rel);
    END LOOP;
END
$$;

-- Others' business: balances, a completed and a pending transfer between
-- other holders, a surrender; the operator's own credits of several kinds.
SELECT tsetp.issue_excess(pg_temp.f('RL-OTHER'), 3) IS NOT NULL AS issued;
SELECT tsetp.issue(pg_temp.a('oth_g'), 'SME', 'FY2021', 'P77', '4321') IS NOT NULL AS issued;
SELECT tsetp.issue(pg_temp.a('oth_jv'), (SELECT min(code) FROM tsetp.credit_kind WHERE programme = 'jvets'), 'FY2021', 'J77', '6789') IS NOT NULL AS issued;
SELECT tsetp.issue_excess(pg_temp.f('RL-OWN'), 3) IS NOT NULL AS issued;
SELECT tsetp.issue(pg_temp.a('rl-own'), 'SME', 'FY2026', 'P01', '30') IS NOT NULL AS issued;
SELECT tsetp.issue(pg_temp.a('rl-own'), 'SME', 'FY2012', 'P01', '30') IS NOT NULL AS issued;
SELECT tsetp.issue(pg_temp.a('rl-own'), 'OUT', 'FY2021', 'X01', '9000') IS NOT NULL AS issued;
SELECT tsetp.issue(pg_temp.a('rl-own'), 'OG', 'FY2021', 'RL-OWN', '20') IS NOT NULL AS issued;
SELECT tsetp.issue(pg_temp.a('own_jv'), (SELECT min(code) FROM tsetp.credit_kind WHERE programme = 'jvets'), 'FY2021', 'J01', '50') IS NOT NULL AS issued;
UPDATE tsetp.account SET commitment_reserve = '45' WHERE number = pg_temp.a('own_jv');
SET SESSION AUTHORIZATION rl_admin1;
SELECT tsetp.transfer(pg_temp.a('rl-other'), pg_temp.a('oth_g'), 'ER', '333') AS oth_done \gset
SELECT tsetp.transfer(pg_temp.a('rl-other'), pg_temp.a('oth_g'), 'ER', '222') AS oth_pending \gset
SELECT tsetp.surrender(pg_temp.f('RL-OTHER'), 4, pg_temp.a('rl-other'), 'ER', '111') AS oth_surr \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION rl_admin2;
SELECT tsetp.approve(:oth_done), tsetp.approve(:oth_surr);
RESET SESSION AUTHORIZATION;
UPDATE tsetp.account SET status = 'closed' WHERE number IN (pg_temp.a('own_closed'), pg_temp.a('oth_closed'));
UPDATE tsetp.account SET status = 'suspended' WHERE number IN (pg_temp.a('own_susp'), pg_temp.a('oth_susp'));
-- The operators act as their own logins (the clock stays pinned): another's
-- transfer to the operator; the operator's own pending transfer (its
-- serials are reserved), a withdrawn one, and a JVETS retirement.
SET LOCAL tsetp.now = '2025-06-02 11:00+09';
SET SESSION AUTHORIZATION rl_other;
SELECT tsetp.transfer(pg_temp.a('rl-other'), pg_temp.a('rl-own'), 'ER', '17') AS incoming \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION rl_op;
SELECT tsetp.transfer(pg_temp.a('rl-own'), pg_temp.a('own_g'), 'ER', '10') AS own_pending \gset
SELECT tsetp.transfer(pg_temp.a('rl-own'), pg_temp.a('own_g'), 'ER', '3') AS own_surr \gset
SELECT tsetp.withdraw(:own_surr);
SELECT tsetp.retire(pg_temp.a('own_jv'), (SELECT min(code) FROM tsetp.credit_kind WHERE programme = 'jvets'), '1') AS own_retired \gset
RESET SESSION AUTHORIZATION;

CREATE TEMP TABLE fixture AS
SELECT (SELECT block::text FROM tsetp.holding WHERE account = pg_temp.a('oth_g') AND kind = 'SME' LIMIT 1) AS other_block,
       (SELECT block::text FROM tsetp.holding WHERE tx = :own_pending LIMIT 1) AS reserved_block,
       (SELECT block::text FROM tsetp.holding WHERE tx = :own_retired LIMIT 1) AS used_block,
       (SELECT block::text FROM tsetp.holding WHERE account = pg_temp.a('rl-own') AND kind = 'SME' AND state = 'free' ORDER BY vintage LIMIT 1) AS own_block,
       :oth_pending::bigint AS oth_pending, :oth_done::bigint AS oth_done, :incoming::bigint AS incoming,
       :own_surr::bigint AS own_surr,
       (SELECT max(id) + 1000 FROM tsetp.ledger) AS no_such_tx,
       (SELECT max(id) + 1000 FROM tsetp.facility) AS no_such_facility;
GRANT SELECT ON fixture TO PUBLIC;

-- The refusals tried, and what they said.
CREATE TEMP TABLE tried (label text, code text, sql text, sqlstate text, message text, detail text, hint text);
GRANT ALL ON tried TO PUBLIC;
CREATE FUNCTION pg_temp.try(label text, sql text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    st text; m text; d text; h text;
BEGIN
    BEGIN
        EXECUTE sql;
        INSERT INTO pg_temp.tried VALUES (label, NULL, sql, NULL, NULL, NULL, NULL);
        RETURN;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    END;
    INSERT INTO pg_temp.tried VALUES (label, (pg_catalog.regexp_match(d, '^Check ([0-9]{4}):'))[1], sql, st, m, d, h);
END
$$;

SET SESSION AUTHORIZATION rl_op;
SELECT pg_temp.try(t.label, t.sql) FROM (VALUES
    ('from another holder''s account', format($q$SELECT tsetp.transfer(%L, %L, 'ER', '1')$q$, pg_temp.a('rl-other'), pg_temp.a('rl-own'))),
    ('from an account that does not exist', $q$SELECT tsetp.transfer('SAI-G999999', 'SAI-G999998', 'ER', '1')$q$),
    ('3007 amount', format($q$SELECT tsetp.transfer(%L, %L, 'ER', '1.5')$q$, pg_temp.a('rl-own'), pg_temp.a('rl-other'))),
    ('1002 own suspended', format($q$SELECT tsetp.transfer(%L, %L, 'ER', '1')$q$, pg_temp.a('own_susp'), pg_temp.a('rl-other'))),
    ('1003 own closed', format($q$SELECT tsetp.transfer(%L, %L, 'ER', '1')$q$, pg_temp.a('own_closed'), pg_temp.a('rl-other'))),
    ('1004 too few', format($q$SELECT tsetp.transfer(%L, %L, 'SME', '99999')$q$, pg_temp.a('rl-own'), pg_temp.a('rl-other'))),
    ('1005 reserve', format($q$SELECT tsetp.transfer(%L, %L, %L, '10')$q$, pg_temp.a('own_jv'), pg_temp.a('oth_jv'),
                            (SELECT min(code) FROM tsetp.credit_kind WHERE programme = 'jvets'))),
    ('1006 another''s facility', format($q$SELECT tsetp.surrender(%s, 3, %L, 'ER', '1')$q$, pg_temp.f('RL-OTHER'), pg_temp.a('rl-own'))),
    ('1006 a facility that does not exist', format($q$SELECT tsetp.surrender(%s, 3, %L, 'ER', '1')$q$, (SELECT no_such_facility FROM pg_temp.fixture), pg_temp.a('rl-own'))),
    ('2001 no such account', format($q$SELECT tsetp.transfer(%L, 'SAI-G999999', 'ER', '1')$q$, pg_temp.a('rl-own'))),
    ('2001 another''s closed', format($q$SELECT tsetp.transfer(%L, %L, 'ER', '1')$q$, pg_temp.a('rl-own'), pg_temp.a('oth_closed'))),
    ('2001 another''s suspended', format($q$SELECT tsetp.transfer(%L, %L, 'ER', '1')$q$, pg_temp.a('rl-own'), pg_temp.a('oth_susp'))),
    ('2001 another''s in another programme', format($q$SELECT tsetp.transfer(%L, %L, 'ER', '1')$q$, pg_temp.a('rl-own'), pg_temp.a('rl-tky'))),
    ('2001 retire with a receiver', format($q$INSERT INTO tsetp.ledger (type, from_account, to_account, kind, amount) VALUES ('retire', %L, %L, 'ER', '1')$q$, pg_temp.a('rl-own'), pg_temp.a('oth_g'))),
    ('2002 itself', format($q$SELECT tsetp.transfer(%L, %L, 'ER', '1')$q$, pg_temp.a('rl-own'), pg_temp.a('rl-own'))),
    ('2003 own suspended', format($q$SELECT tsetp.transfer(%L, %L, 'ER', '1')$q$, pg_temp.a('rl-own'), pg_temp.a('own_susp'))),
    ('2004 own closed', format($q$SELECT tsetp.transfer(%L, %L, 'ER', '1')$q$, pg_temp.a('rl-own'), pg_temp.a('own_closed'))),
    ('2005 own in another programme', format($q$SELECT tsetp.transfer(%L, %L, 'ER', '1')$q$, pg_temp.a('rl-own'), pg_temp.a('own_jv'))),
    ('2006 route', format($q$SELECT tsetp.surrender(%s, 3, %L, 'ER', '1')$q$, pg_temp.f('RL-OWN'), pg_temp.a('own_g'))),
    ('3001 kind', format($q$SELECT tsetp.transfer(%L, %L, 'NOPE', '1')$q$, pg_temp.a('rl-own'), pg_temp.a('rl-other'))),
    ('3002 not transferable', format($q$SELECT tsetp.transfer(%L, %L, 'OG', '1')$q$, pg_temp.a('rl-own'), pg_temp.a('rl-other'))),
    ('3004 another''s block', format($q$SELECT tsetp.transfer(%L, %L, %L::tsetp.credit)$q$, pg_temp.a('rl-own'), pg_temp.a('rl-other'), (SELECT other_block FROM pg_temp.fixture))),
    ('3004 serials that do not exist', format($q$SELECT tsetp.transfer(%L, %L, 'SAI/SME/FY2021/P01/99999990-99999999'::tsetp.credit)$q$, pg_temp.a('rl-own'), pg_temp.a('rl-other'))),
    ('3005 reserved', format($q$SELECT tsetp.transfer(%L, %L, %L::tsetp.credit)$q$, pg_temp.a('rl-own'), pg_temp.a('rl-other'), (SELECT reserved_block FROM pg_temp.fixture))),
    ('3006 used', format($q$SELECT tsetp.transfer(%L, %L, %L::tsetp.credit)$q$, pg_temp.a('own_jv'), pg_temp.a('oth_jv'), (SELECT used_block FROM pg_temp.fixture))),
    ('3008 block and kind', format($q$INSERT INTO tsetp.ledger (type, from_account, to_account, kind, block) VALUES ('transfer', %L, %L, 'ER', %L)$q$, pg_temp.a('rl-own'), pg_temp.a('rl-other'), (SELECT own_block FROM pg_temp.fixture))),
    ('3008 nothing said', format($q$INSERT INTO tsetp.ledger (type, from_account, to_account) VALUES ('transfer', %L, %L)$q$, pg_temp.a('rl-own'), pg_temp.a('rl-other'))),
    ('4001 later period', format($q$SELECT tsetp.surrender(%s, 3, %L, 'SME', '30')$q$, pg_temp.f('RL-OWN'), pg_temp.a('rl-own'))),
    ('4002 too old', format($q$INSERT INTO tsetp.ledger (type, facility_id, period_no, from_account, block) VALUES ('surrender', %s, 3, %L, %L)$q$,
                            pg_temp.f('RL-OWN'), pg_temp.a('rl-own'), (SELECT own_block FROM pg_temp.fixture))),
    ('4004 cap', format($q$SELECT tsetp.surrender(%s, 3, %L, 'OUT', '8000')$q$, pg_temp.f('RL-OWN'), pg_temp.a('rl-own'))),
    ('4005 deadline', format($q$SELECT tsetp.surrender(%s, 2, %L, 'ER', '1')$q$, pg_temp.f('RL-OWN'), pg_temp.a('rl-own'))),
    ('4006 not covered', format($q$SELECT tsetp.surrender(%s, 1, %L, 'ER', '1')$q$, pg_temp.f('RL-OWN'), pg_temp.a('rl-own'))),
    ('4030 an absurd emission', format($q$INSERT INTO tsetp.emission (facility_id, fy, amount) VALUES (%s, 'FY2031', '2000000000')$q$, pg_temp.f('RL-OWN'))),
    ('5002 approve', format($q$SELECT tsetp.approve(%s)$q$, (SELECT oth_pending FROM pg_temp.fixture))),
    ('5002 reject', format($q$SELECT tsetp.reject(%s, 'x')$q$, (SELECT incoming FROM pg_temp.fixture))),
    ('5003 another''s pending', format($q$SELECT tsetp.withdraw(%s)$q$, (SELECT oth_pending FROM pg_temp.fixture))),
    ('5003 another''s completed', format($q$SELECT tsetp.withdraw(%s)$q$, (SELECT oth_done FROM pg_temp.fixture))),
    ('5003 no such transaction', format($q$SELECT tsetp.withdraw(%s)$q$, (SELECT no_such_tx FROM pg_temp.fixture))),
    ('5003 own decided', format($q$SELECT tsetp.withdraw(%s)$q$, (SELECT own_surr FROM pg_temp.fixture))),
    ('5009 not the requester', format($q$SELECT tsetp.withdraw(%s)$q$, (SELECT incoming FROM pg_temp.fixture))),
    ('designated account of another''s facility', format($q$INSERT INTO tsetp.account (programme, holder, facility_id) VALUES ('tokyo', 'Omiya Estate', %s)$q$, pg_temp.f('RL-OTHER'))),
    ('1010 chosen number', $q$INSERT INTO tsetp.account (number, programme, account_type, holder) VALUES ('SAI-G123456', 'saitama', 'general', 'Omiya Estate')$q$)
) AS t(label, sql);
-- Business hours (5004): the JVETS registry closed that day.
RESET SESSION AUTHORIZATION;
INSERT INTO tsetp.registry_holiday (programme, day, name)
VALUES ('jvets', '2025-06-02', 'test') ON CONFLICT DO NOTHING;
SET SESSION AUTHORIZATION rl_op;
SELECT pg_temp.try('5004 hours', format($q$SELECT tsetp.transfer(%L, %L, %L, '1')$q$, pg_temp.a('own_jv'), pg_temp.a('oth_jv'),
                                        (SELECT min(code) FROM tsetp.credit_kind WHERE programme = 'jvets')));
-- What the operator may read: the text of every row of every relation it may read.
CREATE TEMP TABLE readable_text AS SELECT ''::text AS t WHERE false;
DO $$
DECLARE r regclass; x text;
BEGIN
    FOR r IN SELECT c.oid::regclass FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'tsetp'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
                AND pg_catalog.has_table_privilege(c.oid, 'SELECT') LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.string_agg(x::text, '' '') FROM %s x', r) INTO x;
        INSERT INTO pg_temp.readable_text VALUES (COALESCE(x, ''));
    END LOOP;
END
$$;
RESET SESSION AUTHORIZATION;

-- What the registry holds that could be told (read as the owner).
CREATE TEMP TABLE secret AS
SELECT DISTINCT s AS v FROM (
    SELECT unnest(ARRAY[a.number, a.holder]) FROM tsetp.account a
    UNION ALL SELECT unnest(ARRAY[f.code, f.name, f.operator]) FROM tsetp.facility f
    UNION ALL SELECT m.member::text FROM tsetp.holder_member m
    UNION ALL SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'rl\_%'
    UNION ALL SELECT l.id::text FROM tsetp.ledger l
    UNION ALL SELECT unnest(ARRAY[l.requested_at::text, to_char(l.requested_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'),
                                  to_char(l.requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')]) FROM tsetp.ledger l
     WHERE l.requested_at <> tsetp.clock() -- (the registry's time now is no secret)
    UNION ALL SELECT unnest(ARRAY[x.decided_at::text, x.decided_by::text, to_char(x.decided_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI')]) FROM tsetp.approval x
     WHERE x.decided_at <> tsetp.clock()
    UNION ALL SELECT unnest(ARRAY[h.first_serial::text, tsetp.last_serial(h.block)::text, h.block::text]) FROM tsetp.holding h
    UNION ALL SELECT unnest(ARRAY[b.balance::text, b.free::text, b.surrendered::text]) FROM tsetp.account_balance b WHERE b.balance >= 100 OR b.surrendered >= 100
) x(s) WHERE s IS NOT NULL AND length(s) >= 3;

SELECT ok((SELECT count(*) FROM secret s WHERE NOT EXISTS (SELECT 1 FROM readable_text r WHERE strpos(r.t, s.v) > 0)) >= 20,
          'the operator cannot read many of the registry''s strings (there is something to tell)');
SELECT is_empty($$SELECT t.label, s.v, concat_ws(' | ', t.message, t.detail, t.hint)
                    FROM tried t JOIN secret s ON strpos(concat_ws(' ', t.message, t.detail, t.hint), s.v) > 0
                   WHERE strpos(t.sql, s.v) = 0
                     AND NOT EXISTS (SELECT 1 FROM readable_text r WHERE strpos(r.t, s.v) > 0)$$,
                'no refusal to an operator names anything of another holder''s that it cannot read');
SELECT is_empty($$SELECT label, sql FROM tried WHERE sqlstate IS NULL$$, 'every attempt was refused');

-- Every check code in the registry's functions is reachable by an operator
-- except those listed here, and each reachable one was tried.
SELECT is_empty($$
    SELECT c.code FROM (SELECT DISTINCT (regexp_matches(p.prosrc, 'registry_refuse\((?:CASE[^)]*?THEN )?([0-9]{4})', 'g'))[1] AS code
                          FROM pg_proc p WHERE p.pronamespace = 'tsetp'::regnamespace) c
     WHERE c.code NOT IN (
        '1001', -- a missing sending account: an operator gets 42501 (tried above)
        '1008', '1009', -- closing, changing or deleting accounts: tsetp_admin only (operators have no UPDATE/DELETE)
        '1015', -- a designated account's holder, and approval of a request whose requester left the holder: tsetp_admin only
        '3003', -- excess reduction of a first-year vintage: never issued to an operator's account
        '3009', '5006', '5007', '5008', -- corrections: tsetp_admin only
        '3010', '3011', '3013', '4008', '4009', '4010', '4011', '4012', -- issues: tsetp_admin only
        '3012', '4013', '4014', '4015', '4016', '4017', -- configuration, verified inputs and facilities: tsetp_admin or verifier
        '4003', '4007', -- own-facility kinds cannot reach another's account; vintages outside every period are not issued
        '5001', '5005', '5011' -- four-eyes and the programme's offer: tsetp_admin; append-only: no UPDATE/DELETE grant
        ) AND c.code NOT IN (SELECT code FROM tried WHERE code IS NOT NULL)$$,
    'every check code an operator can reach was tried');

SELECT * FROM finish();
ROLLBACK;
