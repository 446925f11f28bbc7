-- pgTAP: the configuration that issued excess reduction rests on cannot be
-- changed under it (checks 4018-4021, and 3012 for the kind's marking). The
-- relations come from the catalogue: every configuration table the engine's
-- views and functions read (pg_depend through pg_rewrite and pg_proc), or
-- that their tables refer to by foreign key, and every table carrying the
-- guard trigger. For each: a change of every guarded column, a DELETE and a
-- TRUNCATE are refused while an issue computed with the row stands; a legal
-- change is allowed before any issue, and again once the issue is reversed;
-- changes outside what the issue rests on stay allowed.
BEGIN;
SELECT plan(17);
SET LOCAL client_min_messages = warning;
SET search_path = public;
SET LOCAL tsetp.now = '2025-06-02 11:00+09';

-- Two Saitama facilities of categories 1-1 and 2, covered from FY2019, base
-- 10,000 t; CG1 verified for FY2020-FY2021 (excess to issue for period 3).
INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES
    ('saitama', 'CG1', 'Guard Tower', 'Guard Estate', '1-1'),
    ('saitama', 'CG2', 'Guard Plant', 'Guard Works', '2');
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y WHERE f.code IN ('CG1', 'CG2');
INSERT INTO tsetp.base_emission
SELECT f.id, 'FY2020', '10000', 'historical', NULL FROM tsetp.facility f WHERE f.code IN ('CG1', 'CG2');
INSERT INTO tsetp.emission
SELECT f.id, e.fy, e.amount, 'Verifier KK'
  FROM tsetp.facility f
  JOIN (VALUES ('CG1', 'FY2020'::tsetp.fiscal_year, '7000'::tsetp.tco2), ('CG1', 'FY2021', '7500')) AS e(code, fy, amount)
    ON e.code = f.code;

-- Runs a statement and undoes it: 'ok', or the SQLSTATE it failed with.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        EXECUTE stmt;
        RAISE EXCEPTION 'probe succeeded' USING ERRCODE = 'ZZ000';
    EXCEPTION WHEN OTHERS THEN
        RETURN CASE SQLSTATE WHEN 'ZZ000' THEN 'ok' ELSE SQLSTATE END;
    END;
END
$$;

-- What the issue of CG1's excess for period 3 (category 1-1, vintage
-- FY2021) rests on, per table: the rows concerned, the refusal, the columns
-- whose changes stay free, and a legal change of those rows.
CREATE TEMP TABLE probe (tab regclass PRIMARY KEY, scope text NOT NULL, code text NOT NULL,
                         free text[] NOT NULL, change text NOT NULL);
INSERT INTO probe VALUES
    ('tsetp.programme', $$code = 'saitama'$$, 'TR418',
     '{name,name_ja,timezone,penalty_factor,banking_periods,excess_from_year,seeded}',
     $$UPDATE tsetp.programme SET reduction_cap = 0.4 WHERE code = 'saitama'$$),
    ('tsetp.plan_period', $$programme = 'saitama' AND period_no = 3$$, 'TR419', '{deadline,seeded}',
     $$UPDATE tsetp.plan_period SET years = 'FY2020-FY2023' WHERE programme = 'saitama' AND period_no = 3$$),
    ('tsetp.category', $$programme = 'saitama' AND code = '1-1'$$, 'TR421', '{name,name_ja,seeded}',
     $$UPDATE tsetp.category SET code = '1-1x' WHERE programme = 'saitama' AND code = '1-1'$$),
    ('tsetp.target_rate', $$programme = 'saitama' AND period_no = 3 AND category = '1-1'$$, 'TR420', '{seeded}',
     $$UPDATE tsetp.target_rate SET rate = rate + 0.01 WHERE programme = 'saitama' AND period_no = 3 AND category = '1-1'$$),
    ('tsetp.transitional_rate', $$programme = 'saitama' AND period_no = 3 AND category = '1-1'$$, 'TR420', '{seeded}',
     $$UPDATE tsetp.transitional_rate SET rate = rate / 2 WHERE programme = 'saitama' AND period_no = 3 AND category = '1-1'$$),
    ('tsetp.relief', $$programme = 'saitama' AND period_no = 3$$, 'TR420', '{seeded}',
     $$UPDATE tsetp.relief SET value = 0.5 WHERE programme = 'saitama' AND period_no = 3 AND kind = 'sme'$$),
    ('tsetp.certification_kind', $$code = 'sme'$$, 'TR421', '{name,name_ja,seeded}',
     $$UPDATE tsetp.certification_kind SET code = 'smex' WHERE code = 'sme'$$),
    ('tsetp.revision_ground', $$programme = 'saitama'$$, 'TR421', '{explanation,seeded}',
     $$UPDATE tsetp.revision_ground SET admissible = NOT admissible WHERE programme = 'saitama'$$),
    ('tsetp.standard_intensity', $$programme = 'saitama'$$, 'TR421', '{name_ja,seeded}',
     $$UPDATE tsetp.standard_intensity SET t_per_m2 = t_per_m2 * 2 WHERE programme = 'saitama'$$),
    -- the kind: its code and marking stay once the ledger moved it (3012)
    ('tsetp.credit_kind', $$programme = 'saitama' AND code = 'ER'$$, 'TR312',
     '{name,name_ja,transferable,own_facility_only,cap_numerator,cap_denominator,seeded}',
     $$UPDATE tsetp.credit_kind SET excess_reduction = false WHERE programme = 'saitama' AND code = 'ER'$$);

-- The relations, from the catalogue.
CREATE TEMP VIEW engine_reads AS
WITH RECURSIVE node(classid, objid) AS (
    SELECT 'pg_class'::regclass::oid, c::oid
      FROM unnest(ARRAY['tsetp.facility_period_reduction', 'tsetp.facility_year', 'tsetp.standing_excess']::regclass[]) c
    UNION ALL
    SELECT 'pg_proc'::regclass::oid, p::oid
      FROM unnest(ARRAY['tsetp.computed_coverage(bigint[])', 'tsetp.base_candidates(bigint)',
                        'tsetp.standard_base(text,text,numeric)']::regprocedure[]) p
    UNION
    SELECT d.refclassid, d.refobjid
      FROM node n
      JOIN pg_depend d
        ON (n.classid = 'pg_class'::regclass AND d.classid = 'pg_rewrite'::regclass
            AND d.objid IN (SELECT r.oid FROM pg_rewrite r WHERE r.ev_class = n.objid))
        OR (n.classid = 'pg_proc'::regclass AND d.classid = 'pg_proc'::regclass AND d.objid = n.objid)
     WHERE d.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass) AND d.deptype = 'n'
), tabs AS (
    SELECT DISTINCT n.objid::regclass AS tab FROM node n JOIN pg_class c ON c.oid = n.objid
     WHERE n.classid = 'pg_class'::regclass AND c.relkind = 'r'
)
SELECT t.tab FROM tabs t
UNION
SELECT k.confrelid::regclass FROM pg_constraint k JOIN tabs t ON t.tab = k.conrelid WHERE k.contype = 'f';
CREATE TEMP VIEW config_tables AS
SELECT t.tgrelid::regclass AS tab FROM pg_trigger t WHERE t.tgname = 'config_row';
CREATE TEMP VIEW guarded AS
SELECT tab FROM engine_reads WHERE tab IN (SELECT tab FROM config_tables)
UNION
SELECT t.tgrelid::regclass FROM pg_trigger t WHERE t.tgname = 'config_under_issue';

SELECT ok((SELECT count(*) FROM guarded) >= 9, 'the catalogue names the configuration the engine reads');
SELECT is(ARRAY(SELECT tab::text FROM guarded EXCEPT SELECT tab::text FROM probe ORDER BY 1), '{}',
          'every configuration table the engine or the guards read has a probe here');
SELECT is(ARRAY(SELECT tab::text FROM guarded WHERE tab <> 'tsetp.credit_kind'::regclass
                EXCEPT SELECT t.tgrelid::regclass::text FROM pg_trigger t WHERE t.tgname = 'config_under_issue' ORDER BY 1),
          '{}', 'every one but credit_kind (check 3012) carries the guard trigger');
SELECT is(ARRAY(SELECT p.tab::text FROM probe p, LATERAL (SELECT 1) x
                 WHERE pg_temp.try(format('DO $x$ BEGIN IF NOT EXISTS (SELECT 1 FROM %s WHERE %s) THEN RAISE EXCEPTION ''empty''; END IF; END $x$', p.tab, p.scope)) <> 'ok'
                 ORDER BY 1), '{}', 'every probe''s scope holds rows');

-- Before any issue: every legal change is allowed.
SELECT is(ARRAY(SELECT p.tab || ': ' || r FROM probe p, pg_temp.try(p.change) r WHERE r <> 'ok' ORDER BY 1), '{}',
          'with no issue standing, each change is allowed');

CREATE TEMP TABLE issued AS
SELECT tsetp.issue_excess((SELECT id FROM tsetp.facility WHERE code = 'CG1'), 3) AS block;
SELECT is((SELECT count(*)::int FROM tsetp.standing_excess WHERE source = 'CG1'), 1, 'CG1''s excess for period 3 is issued');

-- Under the standing issue: every guarded column of every row it rests on.
CREATE TEMP TABLE under_issue AS
SELECT p.tab, a.attname, p.code,
       pg_temp.try(format('UPDATE %s SET %I = NULL WHERE %s', p.tab, a.attname, p.scope)) AS result
  FROM probe p
  JOIN pg_attribute a ON a.attrelid = p.tab AND a.attnum > 0 AND NOT a.attisdropped
                     AND a.attgenerated = '' AND a.attidentity = ''
 WHERE a.attname <> ALL (p.free);
SELECT ok((SELECT count(*) FROM under_issue) >= 30, 'the guarded columns, from the catalogue');
SELECT is(ARRAY(SELECT tab || '.' || attname || ': ' || result FROM under_issue WHERE result <> code ORDER BY 1), '{}',
          'a change of any guarded column under a standing issue is refused with the table''s check');
SELECT is(ARRAY(SELECT p.tab || ': ' || r FROM probe p, pg_temp.try(p.change) r WHERE r <> p.code ORDER BY 1), '{}',
          'each legal change is refused while the issue stands');
SELECT is(ARRAY(SELECT p.tab || ': ' || r FROM probe p, pg_temp.try(format('DELETE FROM %s WHERE %s', p.tab, p.scope)) r
                 WHERE r <> p.code ORDER BY 1), '{}',
          'deleting a row it rests on is refused');
-- TRUNCATE: tables no foreign key refers to reach the guard; the others
-- are refused in any case (plainly by the foreign keys, with CASCADE by a guard).
SELECT is(ARRAY(SELECT p.tab || ': ' || r FROM probe p, pg_temp.try(format('TRUNCATE %s', p.tab)) r
                 WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' AND k.confrelid = p.tab)
                   AND r <> p.code ORDER BY 1), '{}',
          'truncating is refused while an issue stands');
SELECT is(ARRAY(SELECT p.tab || ': ' || r FROM probe p, pg_temp.try(format('TRUNCATE %s CASCADE', p.tab)) r
                 WHERE r = 'ok' ORDER BY 1), '{}', 'TRUNCATE ... CASCADE is refused too');
SELECT is(ARRAY(SELECT s || ': ' || r FROM unnest(ARRAY[
    $$INSERT INTO tsetp.relief VALUES ('saitama', 3, 'near_top', 'multiply', 0.5, true)$$,
    $$INSERT INTO tsetp.target_rate VALUES ('saitama', 3, '1-1', 0.1)$$,
    $$INSERT INTO tsetp.revision_ground VALUES ('saitama', 'new_ground', true, 'x')$$,
    $$INSERT INTO tsetp.plan_period VALUES ('saitama', 1, 'FY2011-FY2013', '2016-09-30')$$,
    $$DELETE FROM tsetp.plan_period WHERE programme = 'saitama' AND period_no = 1$$]) s,
    pg_temp.try(s) r WHERE r !~ '^TR4' ORDER BY 1), '{}',
          'adding a rate, relief or ground it rests on (also as a shipped row''s replacement), or changing the first period, is refused');

-- Outside what the issue rests on, changes stay allowed.
SELECT is(ARRAY(SELECT s || ': ' || r FROM unnest(ARRAY[
    $$UPDATE tsetp.target_rate SET rate = rate + 0.01 WHERE programme = 'saitama' AND period_no = 3 AND category = '2'$$,
    $$UPDATE tsetp.relief SET value = value WHERE programme = 'saitama' AND period_no = 4 AND kind = 'sme'$$,
    $$UPDATE tsetp.relief SET value = 0.03 WHERE programme = 'saitama' AND period_no = 4 AND kind = 'sme'$$,
    $$UPDATE tsetp.plan_period SET years = 'FY2025-FY2028' WHERE programme = 'saitama' AND period_no = 4$$,
    $$UPDATE tsetp.plan_period SET deadline = deadline + 1 WHERE programme = 'saitama' AND period_no = 3$$,
    $$UPDATE tsetp.programme SET name = name || ' (new)', excess_from_year = 3 WHERE code = 'saitama'$$,
    $$UPDATE tsetp.programme SET reduction_cap = 0.4 WHERE code = 'tokyo'$$,
    $$INSERT INTO tsetp.category VALUES ('saitama', 'new', 'New category')$$,
    $$INSERT INTO tsetp.certification_kind VALUES ('newkind', 'New kind')$$]) s,
    pg_temp.try(s) r WHERE r <> 'ok' ORDER BY 1), '{}',
          'changes of other periods, categories and programmes, and of free columns, are allowed');

-- Reversed, the issue no longer stands: the changes are allowed again
-- (the kind keeps its marking: its transactions stay in the ledger).
SELECT lives_ok($$SELECT tsetp.correct((SELECT l.id FROM tsetp.ledger l WHERE l.type = 'issue' AND l.source = 'CG1'), 'reversed to change the rules')$$,
                'the issue is reversed');
SELECT is(ARRAY(SELECT p.tab || ': ' || r FROM probe p, pg_temp.try(p.change) r
                 WHERE r <> CASE p.tab WHEN 'tsetp.credit_kind'::regclass THEN 'TR312' ELSE 'ok' END ORDER BY 1), '{}',
          'after the reversal, each change is allowed (the kind''s marking stays: 3012)');
SELECT is(ARRAY(SELECT p.tab || ': ' || r FROM probe p, pg_temp.try(format('DELETE FROM %s WHERE %s', p.tab, p.scope)) r
                 WHERE r ~ '^TR4(18|19|2[01])$' ORDER BY 1), '{}',
          'after the reversal, no delete meets the guard');

SELECT * FROM finish();
ROLLBACK;
