-- The close of period 2 (FY2015-FY2019) of a Saitama-like programme, on the
-- data of data/generate.sql and data/registry_activity.sql:
--   1. the assessment of every facility (tsetp.compliance_report);
--   2. the issuing of excess reduction (超過削減量) to every facility whose
--      reduction beat its target (tsetp.issue_excess_all('saitama', 2), set-wise);
--   3. trades: brokers buy excess; facilities short of their target buy
--      what their own banked credits do not cover, from another facility of
--      the same operator, from another large facility directly, from a
--      broker, or renewable-energy credits;
--   4. surrenders (目標達成への充当): own banked credits first, then the
--      bought ones; every transfer and surrender requested by clerk and
--      approved by approver (four-eyes);
--   5. the summary the prefecture publishes, and the projection (達成見込み)
--      of period 3 for one facility.
--   psql -v seed=42 -f data/close_period.sql
\if :{?seed}
\else
\set seed 42
\endif
\set ON_ERROR_STOP 1
SET search_path = tsetp, public;
SET client_min_messages = warning;

\ir random.sql
\ir approvals.sql

-- ---------------------------------------------------------------------------
-- 1-2. Assessment and issuing of excess reduction (2020-10, once FY2019 is
-- verified).
-- ---------------------------------------------------------------------------
SET tsetp.now = '2020-10-15 10:00+09';
SET SESSION AUTHORIZATION clerk;
CREATE TEMP TABLE assessed AS
SELECT r.facility_id, r.facility_code, r.operator, r.excess, r.shortfall
  FROM tsetp.compliance_report r
 WHERE r.programme = 'saitama' AND r.period_no = 2;
SELECT count(*) AS "facilities assessed", count(*) FILTER (WHERE shortfall > 0) AS "short of target",
       count(*) FILTER (WHERE excess >= 1) AS "with excess to issue"
  FROM assessed;
-- Set-wise: one call issues every facility's excess (one ledger transaction
-- each), whatever the number of facilities.
SELECT count(*) AS "excess reduction issued (blocks)", sum(tsetp.amount(i.block))::numeric AS tonnes
  FROM tsetp.issue_excess_all('saitama', 2) i;
RESET SESSION AUTHORIZATION;

-- ---------------------------------------------------------------------------
-- 3. Trades. Brokers first buy half of the excess of a quarter of the
-- facilities with at least 1,000 t.
-- ---------------------------------------------------------------------------
SET tsetp.now = '2020-11-10 11:00+09';
SET SESSION AUTHORIZATION clerk;
INSERT INTO tsetp.ledger (type, from_account, to_account, kind, amount, note)
SELECT 'transfer', tsetp.designated_account(a.facility_id),
       (SELECT p.account FROM public.demo_party p WHERE p.kind = 'broker'
         ORDER BY p.name OFFSET (pg_temp.h(:seed, a.facility_id, 31) < 0.5)::int LIMIT 1),
       'ER', pg_catalog.floor(a.excess / 2)::tsetp.tco2, 'Purchase of period-2 excess reduction'
  FROM assessed a
 WHERE a.excess >= 1000 AND pg_temp.h(:seed, a.facility_id, 32) < 0.25
 ORDER BY a.facility_id;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION approver;
CALL pg_temp.approve_pending();
RESET SESSION AUTHORIZATION;

-- What each facility short of its target still needs after its own banked
-- excess of period 1, and where it buys it: the plan, made against the free
-- units that qualify for period 2 (vintage FY2011-FY2019).
SET SESSION AUTHORIZATION clerk;
CREATE TEMP TABLE short_facility AS
SELECT a.facility_id, a.facility_code, a.operator, pg_catalog.ceil(a.shortfall) AS shortfall,
       COALESCE((SELECT sum(h.tonnes) FROM tsetp.holding h
                  WHERE h.account = tsetp.designated_account(a.facility_id) AND h.state = 'free'
                    AND h.kind = 'ER' AND h.vintage <= 'FY2014' AND tsetp.source(h.block) = a.facility_code), 0) AS own_banked,
       CASE WHEN pg_temp.h(:seed, a.facility_id, 40) < 0.12 THEN 'none'
            WHEN pg_temp.h(:seed, a.facility_id, 40) < 0.42 THEN 'same_operator'
            WHEN pg_temp.h(:seed, a.facility_id, 40) < 0.62 THEN 'direct'
            WHEN pg_temp.h(:seed, a.facility_id, 40) < 0.96 THEN 'broker'
            ELSE 'renewable' END AS strategy
  FROM assessed a
 WHERE a.shortfall > 0;

CREATE TEMP TABLE stock AS
SELECT h.account, h.kind, sum(h.tonnes) AS free, a.facility_id, a.holder
  FROM tsetp.holding h JOIN tsetp.account a ON a.number = h.account
 WHERE h.state = 'free' AND h.vintage BETWEEN 'FY2011' AND 'FY2019' AND a.programme = 'saitama'
 GROUP BY h.account, h.kind, a.facility_id, a.holder;

CREATE TEMP TABLE trade_plan (
    seq          serial,
    facility_id  bigint,
    from_account text,
    kind         text,
    amount       numeric
);

DO $$
DECLARE
    s       record;
    need    numeric;
    src     record;
BEGIN
    FOR s IN SELECT * FROM short_facility ORDER BY facility_id LOOP
        need := s.shortfall - LEAST(s.own_banked, s.shortfall);
        CONTINUE WHEN need <= 0 OR s.strategy = 'none';
        src := NULL;
        IF s.strategy = 'same_operator' THEN
            SELECT k.* INTO src FROM stock k
             WHERE k.kind = 'ER' AND k.holder = s.operator AND k.facility_id <> s.facility_id AND k.free >= need
             ORDER BY k.free DESC, k.account LIMIT 1;
        END IF;
        IF src IS NULL AND s.strategy IN ('same_operator', 'direct') THEN
            SELECT k.* INTO src FROM stock k
             WHERE k.kind = 'ER' AND k.facility_id IS NOT NULL AND k.holder <> s.operator AND k.free >= need
             ORDER BY k.free DESC, k.account LIMIT 1;
        ELSIF s.strategy = 'broker' THEN
            SELECT k.* INTO src FROM stock k JOIN public.demo_party p ON p.account = k.account AND p.kind = 'broker'
             WHERE k.kind = 'ER' AND k.free >= need
             ORDER BY k.free DESC, k.account LIMIT 1;
        ELSIF s.strategy = 'renewable' THEN
            SELECT k.* INTO src FROM stock k JOIN public.demo_party p ON p.account = k.account AND p.kind = 're_provider'
             WHERE k.kind = 'RE' AND k.free >= need
             ORDER BY k.free DESC, k.account LIMIT 1;
        END IF;
        IF src IS NULL THEN
            RAISE EXCEPTION 'no seller for facility % (% t, %)', s.facility_code, need, s.strategy;
        END IF;
        UPDATE stock SET free = free - need WHERE account = src.account AND kind = src.kind;
        INSERT INTO trade_plan (facility_id, from_account, kind, amount)
        VALUES (s.facility_id, src.account, src.kind, need);
    END LOOP;
END
$$;

-- The purchases (2021-06): each transfer requested, then approved.
SET tsetp.now = '2021-06-15 11:00+09';
INSERT INTO tsetp.ledger (type, from_account, to_account, kind, amount, note)
SELECT 'transfer', t.from_account, tsetp.designated_account(t.facility_id), t.kind, t.amount::tsetp.tco2,
       'Purchase for the target of period 2'
  FROM trade_plan t ORDER BY t.seq;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION approver;
CALL pg_temp.approve_pending();
RESET SESSION AUTHORIZATION;

-- ---------------------------------------------------------------------------
-- 4. Surrenders (2021-09, before the deadline of 2021-09-30): own banked
-- excess first, then what was bought.
-- ---------------------------------------------------------------------------
SET tsetp.now = '2021-09-15 11:00+09';
SET SESSION AUTHORIZATION clerk;
SELECT count(*) AS "surrenders of own banked excess",
       sum(x.amount) AS tonnes
  FROM (SELECT LEAST(s.own_banked, s.shortfall)::numeric AS amount,
               tsetp.surrender(s.facility_id, 2, tsetp.designated_account(s.facility_id), 'ER',
                               LEAST(s.own_banked, s.shortfall)::tsetp.tco2)
          FROM short_facility s WHERE s.own_banked > 0 ORDER BY s.facility_id) x;
SELECT count(*) AS "surrenders of acquired credits", sum(x.amount) AS tonnes
  FROM (SELECT t.amount, tsetp.surrender(t.facility_id, 2, tsetp.designated_account(t.facility_id), t.kind, t.amount::tsetp.tco2)
          FROM trade_plan t ORDER BY t.seq) x;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION approver;
CALL pg_temp.approve_pending();
RESET SESSION AUTHORIZATION;
RESET tsetp.now;

-- ---------------------------------------------------------------------------
-- 5. What the prefecture publishes.
-- ---------------------------------------------------------------------------
\pset footer off
\pset null '—'

\echo
\echo '第2削減計画期間の削減の状況 — reduction in period 2 (FY2015-FY2019), 万トン-CO₂ = 10,000 t-CO₂'
WITH s AS (
    SELECT CASE WHEN category LIKE '1%' THEN 1 ELSE 2 END AS grp,
           sum(facilities) AS facilities, sum(base_total) AS base, sum(target_total) AS target,
           sum(reduction_total) AS reduction
      FROM tsetp.programme_summary
     WHERE programme = 'saitama' AND period_no = 2
     GROUP BY 1
), t AS (
    SELECT grp, facilities, base, target, reduction FROM s
    UNION ALL
    SELECT 3, sum(facilities), sum(base), sum(target), sum(reduction) FROM s
), m(ord, label) AS (
    VALUES (1, '事業所数 facilities'), (2, '基準排出量 base emissions'), (3, '目標削減率 target rate'),
           (4, '削減目標量 reduction target'), (5, '削減量（実績） reduction achieved'), (6, '削減率（実績） reduction rate')
)
SELECT m.label AS " ",
       max(v) FILTER (WHERE t.grp = 1) AS "第1区分 category 1 (業務ビルなど offices)",
       max(v) FILTER (WHERE t.grp = 2) AS "第2区分 category 2 (工場等 factories)",
       max(v) FILTER (WHERE t.grp = 3) AS "合計 total"
  FROM m CROSS JOIN t
 CROSS JOIN LATERAL (SELECT CASE m.ord
        WHEN 1 THEN t.facilities || ' 事業所'
        WHEN 2 THEN to_char(round(t.base / 10000), 'FM9,999,990') || ' 万t'
        WHEN 3 THEN CASE WHEN t.grp < 3 THEN round(100 * t.target / t.base, 1) || '%' ELSE '—' END
        WHEN 4 THEN to_char(round(t.target / 10000), 'FM9,999,990') || ' 万t'
        WHEN 5 THEN to_char(round(t.reduction / 10000), 'FM9,999,990') || ' 万t'
        WHEN 6 THEN round(100 * t.reduction / t.base) || '%' END) AS x(v)
 GROUP BY m.ord, m.label
 ORDER BY m.ord;

\echo '第2削減計画期間の達成の状況 — outcome of period 2'
WITH s AS (
    SELECT sum(achieved_own) AS own, sum(achieved_banking) AS banking, sum(achieved_trading) AS trading,
           sum(not_achieved) AS not_achieved, sum(pending) AS pending, sum(facilities) AS total
      FROM tsetp.programme_summary WHERE programme = 'saitama' AND period_no = 2
)
SELECT v.label AS "目標達成の状況 outcome", v.n AS "事業所 facilities"
  FROM s CROSS JOIN LATERAL (VALUES
        ('達成（第2削減計画期間の自らの削減により） achieved by own reduction', s.own),
        ('達成（前期間からの削減量の持越しを併せて） achieved with banking', s.banking),
        ('達成（他事業所との取引により） achieved by trading', s.trading),
        ('非達成 not achieved', s.not_achieved),
        ('合計 total', s.total)) AS v(label, n);

-- Counterparts of the facilities that achieved by trading, from the ledger:
-- every completed transfer into the facility's designated account up to its
-- surrender, classified as renewable-energy (or other non-ER) credits, else
-- a broker (a general account), else another operator's facility, else only
-- the same operator's other facilities.
\echo '排出量取引の相手 — trading counterparts of the facilities that achieved by trading'
WITH bought AS (
    SELECT r.facility_id,
           bool_or(l.kind <> 'ER') AS renewable,
           bool_or(src.account_type = 'general' AND l.kind = 'ER') AS broker,
           bool_or(src.account_type = 'designated' AND src.holder <> f.operator) AS other_operator
      FROM tsetp.compliance_report r
      JOIN tsetp.facility f ON f.id = r.facility_id
      JOIN tsetp.ledger l ON l.to_account = tsetp.designated_account(r.facility_id) AND l.type = 'transfer'
      JOIN tsetp.transaction_status st ON st.id = l.id AND st.status = 'completed'
      JOIN tsetp.account src ON src.number = l.from_account
     WHERE r.programme = 'saitama' AND r.period_no = 2 AND r.outcome = 'achieved_trading'
     GROUP BY r.facility_id
), c AS (
    SELECT CASE WHEN renewable THEN 4 WHEN broker THEN 3 WHEN other_operator THEN 2 ELSE 1 END AS k, count(*) AS n
      FROM bought GROUP BY 1
)
SELECT v.label AS "取引の相手 counterpart", COALESCE(c.n, 0) AS "事業所 facilities"
  FROM (VALUES (1, '同じ事業者の他の事業所からの取得のみ only the same operator''s other facilities'),
               (2, '他の大規模事業者からの直接取得 other large facilities directly'),
               (3, '仲介事業者等からの取得 brokers'),
               (4, '再エネクレジット等の取得 renewable-energy credits etc.')) AS v(k, label)
  LEFT JOIN c ON c.k = v.k
 ORDER BY v.k;

\echo 'バンキング — excess reduction of period 2 carried into period 3 (held in designated accounts)'
SELECT count(DISTINCT b.account) AS "facilities holding it 事業所", sum(b.balance) AS "tonnes t-CO₂"
  FROM tsetp.account_balance b
 WHERE b.programme = 'saitama' AND b.account_type = 'designated' AND b.kind = 'ER'
   AND b.vintage::tsetp.fiscal_year BETWEEN 'FY2015' AND 'FY2019' AND b.balance > 0;

-- ---------------------------------------------------------------------------
-- The projection of period 3 (達成見込み) for one facility: the first
-- facility of category 1-1 whose FY2024 is not verified yet and that is
-- projected to fall short.
-- ---------------------------------------------------------------------------
SELECT f.id AS pid, f.code AS pcode, f.name AS pname, f.operator AS poperator
  FROM tsetp.facility f
 CROSS JOIN LATERAL tsetp.projection(f.id, 3) p
 WHERE f.programme = 'saitama' AND f.category = '1-1' AND p.years_reported = 4 AND p.projected_balance < '0'
 ORDER BY f.id LIMIT 1 \gset

\echo
\echo '第3削減計画期間の達成見込み — projection of period 3 (FY2020-FY2024)'
\echo '事業所番号 facility' :pcode '/' :pname '/ 事業者名 operator' :poperator
WITH y AS (
    SELECT fy, base::numeric AS base, rate, target::numeric AS target,
           CASE WHEN verified THEN emissions::numeric END AS emissions
      FROM tsetp.facility_year WHERE facility_id = :pid AND period_no = 3
), r AS (
    SELECT y.*, base - emissions AS reduction, base - emissions - target AS surplus FROM y
), tot AS (
    SELECT sum(base) AS base, sum(target) AS target FROM r
), m(ord, label) AS (
    VALUES (1, '基準排出量 base ①'), (2, '目標削減率 rate ②'), (3, '削減目標量 target ③=①×②'),
           (4, '実績排出量 emissions ④'), (5, '実績削減量 reduction ⑤=①-④'),
           (6, '目標を上回って削減された量（▲不足） surplus ⑥=⑤-③')
)
SELECT m.label AS "(t-CO₂)",
       max(v) FILTER (WHERE r.fy = 'FY2020') AS "FY2020 令和2年度",
       max(v) FILTER (WHERE r.fy = 'FY2021') AS "FY2021 令和3年度",
       max(v) FILTER (WHERE r.fy = 'FY2022') AS "FY2022 令和4年度",
       max(v) FILTER (WHERE r.fy = 'FY2023') AS "FY2023 令和5年度",
       max(v) FILTER (WHERE r.fy = 'FY2024') AS "FY2024 令和6年度",
       max(CASE m.ord WHEN 1 THEN to_char(tot.base, 'FM999,999,990') WHEN 3 THEN to_char(tot.target, 'FM999,999,990') END)
           AS "合計 period total"
  FROM m CROSS JOIN r CROSS JOIN tot
 CROSS JOIN LATERAL (SELECT CASE m.ord
        WHEN 1 THEN to_char(r.base, 'FM999,999,990')
        WHEN 2 THEN trim_scale(round(100 * r.rate, 2)) || '%'
        WHEN 3 THEN to_char(r.target, 'FM999,999,990')
        WHEN 4 THEN to_char(r.emissions, 'FM999,999,990')
        WHEN 5 THEN to_char(r.reduction, 'FM999,999,990')
        WHEN 6 THEN CASE WHEN r.surplus < 0 THEN '▲' || to_char(-r.surplus, 'FM999,999,990')
                         ELSE to_char(r.surplus, 'FM999,999,990') END END) AS x(v)
 GROUP BY m.ord, m.label
 ORDER BY m.ord;

SELECT p.years_reported, to_char(p.emissions_to_date::numeric, 'FM999,999,990') AS emitted,
       to_char(p.projected_emissions::numeric, 'FM999,999,990') AS projected,
       to_char(r.target_total::numeric, 'FM999,999,990') AS target,
       to_char(p.projected_reduction::numeric, 'FM999,999,990') AS projected_reduction,
       to_char(-p.projected_balance::numeric, 'FM999,999,990') AS projected_shortfall,
       to_char(p.allowed_remaining::numeric, 'FM999,999,990') AS allowed,
       to_char(p.allowed_remaining_per_year::numeric, 'FM999,999,990') AS allowed_per_year,
       5 - p.years_reported AS years_left
  FROM tsetp.projection(:pid, 3) p
  JOIN tsetp.facility_period_reduction r ON r.facility_id = :pid AND r.period_no = 3 \gset p_
SELECT v.label AS "達成見込み（推計） projection", v.value AS "t-CO₂"
  FROM (VALUES ('削減目標量 reduction target ⑧', :'p_target'),
               ('排出量（推計） projected emissions ⑨', :'p_projected'),
               ('排出削減量（推計） projected reduction ⑩', :'p_projected_reduction'),
               ('削減不足量 projected shortfall ⑬ = ⑧ - ⑩', :'p_projected_shortfall')) AS v(label, value);
\pset tuples_only on
\pset format unaligned
SELECT '下記数値は、これまでの平均排出量が令和6年度まで継続するとして推計したものです。'
UNION ALL SELECT format('(The projection continues the average of the %s verified years to the end of the period.)', :'p_years_reported')
UNION ALL SELECT format('目標を達成するためには、残り%s年度の排出を%sトン（平均%sトン／年）に抑える必要がある。',
                        :'p_years_left', :'p_allowed', :'p_allowed_per_year')
UNION ALL SELECT format('To meet the target, the remaining %s year(s) may emit at most %s t (%s t a year on average);',
                        :'p_years_left', :'p_allowed', :'p_allowed_per_year')
UNION ALL SELECT 'otherwise it surrenders banked or acquired credits for the shortfall.';
\pset tuples_only off
\pset format aligned

-- ---------------------------------------------------------------------------
-- What the registry refuses, whoever asks (the SQLSTATE and the check code).
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.try(sql text) RETURNS text
    LANGUAGE plpgsql
AS $f$
DECLARE
    st text;
    msg text;
    det text;
BEGIN
    EXECUTE sql;
    RETURN 'accepted (unexpected)';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    RETURN st || ': ' || msg || COALESCE(' — ' || CASE WHEN det LIKE 'Check %' THEN split_part(det, ':', 1) ELSE det END, '');
END
$f$;
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO clerk;
SELECT b.account AS from_acct, (SELECT p.account FROM public.demo_party p WHERE p.kind = 'broker' ORDER BY p.name LIMIT 1) AS to_acct
  FROM tsetp.account_balance b WHERE b.account_type = 'designated' AND b.kind = 'ER' AND b.free > 10
 ORDER BY b.account LIMIT 1 \gset
SELECT s.facility_id AS banker FROM short_facility s WHERE s.own_banked > s.shortfall ORDER BY s.facility_id LIMIT 1 \gset
\echo
\echo 'The registry refuses (SQLSTATE: message — check code):'
SET tsetp.now = '2021-10-01 11:00+09';
SET SESSION AUTHORIZATION clerk;
SELECT v.attempt AS "attempt", pg_temp.try(v.sql) AS "refusal"
  FROM (VALUES
    ('clerk approves the transfer it requested itself (four-eyes)',
     format('SELECT tsetp.approve(tsetp.transfer(%L, %L, ''ER'', ''10''))', :'from_acct', :'to_acct')),
    ('surrender for period 2 after its deadline (2021-09-30)',
     format('SELECT tsetp.surrender(%s, 2, tsetp.designated_account(%s), ''ER'', ''1'')', :banker, :banker)),
    ('period-1 excess banked into period 3 (banking reaches one period)',
     format('SELECT tsetp.surrender(%s, 3, tsetp.designated_account(%s), ''ER'', ''1'')', :banker, :banker)),
    ('excess reduction issued beyond what the facility earned',
     format('SELECT tsetp.issue(tsetp.designated_account(%s), ''ER'', ''FY2019'', (SELECT f.code FROM tsetp.facility f WHERE f.id = %s), ''1'')',
            :banker, :banker)),
    ('an amount finer than a kilogram', 'SELECT ''1.0005 t''::tsetp.tco2')) AS v(attempt, sql);
RESET SESSION AUTHORIZATION;
\pset tuples_only on
SELECT 'a superuser edits a recorded transaction', pg_temp.try('UPDATE tsetp.ledger SET amount = ''1'' WHERE id = 1');
\pset tuples_only off
RESET tsetp.now;
