-- Registry activity of a Saitama-like programme before the close of period 2,
-- on the facilities written by data/generate.sql (deterministic: every choice
-- is a hash of the facility id and a salt, like the generator's).
--   psql -v seed=42 -f data/registry_activity.sql
-- Needs two login roles holding tsetp_admin, clerk (requests) and approver
-- (approves: four-eyes), two people acted as with SET SESSION AUTHORIZATION
-- from a superuser session (the registry clock
-- tsetp.now is pinned to the date of each step). Writes:
--   - general accounts (一般管理口座) of two brokers and a renewable-energy
--     credit provider;
--   - the verified emissions of period 1 (FY2011-FY2014), and the excess
--     reduction they earned (vintage FY2014) issued to the facilities
--     that reduced well then, and to some that will need it in period 2
--     (they bank it: バンキング);
--   - brokers buying period-1 excess from facilities;
--   - renewable-energy credits (再エネクレジット) issued to the provider.
\if :{?seed}
\else
\set seed 42
\endif
\set ON_ERROR_STOP 1
SET search_path = tsetp, public;
SET client_min_messages = warning;

\ir random.sql
\ir approvals.sql

-- The demo's own bookkeeping: which general account is whose.
CREATE TABLE IF NOT EXISTS public.demo_party (
    name    text PRIMARY KEY,
    kind    text NOT NULL CHECK (kind IN ('broker', 're_provider')),
    account text NOT NULL
);
COMMENT ON TABLE public.demo_party IS 'Demo data: the general accounts of brokers and the renewable-energy credit provider';
GRANT SELECT, INSERT ON public.demo_party TO clerk;
GRANT SELECT ON public.demo_party TO approver;

-- 2015-04: brokers and the renewable-energy provider open general accounts.
SET tsetp.now = '2015-04-10 10:00+09';
SET SESSION AUTHORIZATION clerk;
INSERT INTO public.demo_party VALUES
    ('Saitama Carbon Brokers KK', 'broker', tsetp.open_account('saitama', 'Saitama Carbon Brokers KK')),
    ('Kanto Emissions Trading', 'broker', tsetp.open_account('saitama', 'Kanto Emissions Trading')),
    ('Sainokuni Green Power', 're_provider', tsetp.open_account('saitama', 'Sainokuni Green Power'));
RESET SESSION AUTHORIZATION;

-- 2016-06: excess reduction of period 1 (FY2011-FY2014) is issued. The
-- generator writes no emissions for period 1, so the amounts are drawn here:
-- a third of the facilities with a strong trend made some; and a sixth of
-- those that will fall short in period 2 made enough to bank for it (a
-- twelfth made half of what they will need).
CREATE TEMP TABLE p2_short AS
SELECT r.facility_id, pg_catalog.ceil(r.shortfall) AS shortfall
  FROM tsetp.compliance_report r
 WHERE r.programme = 'saitama' AND r.period_no = 2 AND r.shortfall > 0;
GRANT SELECT ON p2_short TO clerk;

CREATE TEMP TABLE p1_excess AS
SELECT f.id AS facility_id, f.code,
       CASE WHEN s.facility_id IS NOT NULL AND pg_temp.h(:seed, f.id, 21) < 0.17
                THEN pg_catalog.ceil(s.shortfall * (1.05 + 0.5 * pg_temp.h(:seed, f.id, 22)))
            WHEN s.facility_id IS NOT NULL AND pg_temp.h(:seed, f.id, 21) < 0.25
                THEN pg_catalog.floor(s.shortfall * 0.5)
            WHEN s.facility_id IS NULL AND r.reduction_total > 1.4 * r.target_total AND pg_temp.h(:seed, f.id, 23) < 0.33
                THEN pg_catalog.floor(r.base_total / 5 * (0.05 + 0.15 * pg_temp.h(:seed, f.id, 24)))
       END AS amount
  FROM tsetp.facility f
  JOIN tsetp.compliance_report r ON r.facility_id = f.id AND r.period_no = 2
  LEFT JOIN p2_short s ON s.facility_id = f.id
 WHERE f.programme = 'saitama';
DELETE FROM p1_excess WHERE amount IS NULL OR amount < 1;
GRANT SELECT ON p1_excess TO clerk;

-- The verified emissions of period 1 (FY2011-FY2014): the facilities above
-- beat each year's target by a quarter of their excess (the registry issues
-- excess reduction only as the engine computes it from verified years); the
-- others reduce 70-130% of what their target asks.
INSERT INTO tsetp.emission (facility_id, fy, amount, verified_by, verified_at)
SELECT y.facility_id, y.fy,
       round(y.base::numeric - CASE WHEN e.amount IS NOT NULL THEN y.target::numeric + pg_catalog.ceil(e.amount / 4)
                                    ELSE y.target::numeric * (0.7 + 0.6 * pg_temp.h(:seed, y.facility_id, 400 + y.fy::int)) END,
             3)::tsetp.tco2,
       'Verifier ' || (y.facility_id % 7 + 1), pg_catalog.make_date(y.fy::int + 1, 9, 30)::timestamptz
  FROM tsetp.facility_year y
  LEFT JOIN p1_excess e ON e.facility_id = y.facility_id
 WHERE y.programme = 'saitama' AND y.period_no = 1;

SET tsetp.now = '2016-06-01 10:00+09';
SET SESSION AUTHORIZATION clerk;
SELECT count(*) AS "period-1 excess issued to facilities", sum(tsetp.amount(b))::numeric AS tonnes
  FROM (SELECT tsetp.issue(tsetp.designated_account(e.facility_id), 'ER', 'FY2014', e.code, e.amount::tsetp.tco2) AS b
          FROM p1_excess e ORDER BY e.facility_id) x;
RESET SESSION AUTHORIZATION;

-- 2016-07/08: brokers buy about half of the period-1 excess of the good
-- performers (not of those that bank it for themselves).
SET tsetp.now = '2016-07-20 11:00+09';
SET SESSION AUTHORIZATION clerk;
INSERT INTO tsetp.ledger (type, from_account, to_account, kind, amount, note)
SELECT 'transfer', tsetp.designated_account(e.facility_id),
       (SELECT p.account FROM public.demo_party p WHERE p.kind = 'broker'
         ORDER BY p.name OFFSET (pg_temp.h(:seed, e.facility_id, 25) < 0.6)::int LIMIT 1),
       'ER', pg_catalog.floor(e.amount * 0.6)::tsetp.tco2, 'Purchase of period-1 excess reduction'
  FROM p1_excess e
 WHERE NOT EXISTS (SELECT 1 FROM p2_short s WHERE s.facility_id = e.facility_id)
   AND pg_temp.h(:seed, e.facility_id, 26) < 0.6 AND e.amount >= 2
 ORDER BY e.facility_id;
RESET SESSION AUTHORIZATION;
SET tsetp.now = '2016-08-01 10:00+09';
SET SESSION AUTHORIZATION approver;
CALL pg_temp.approve_pending();
RESET SESSION AUTHORIZATION;

-- 2019-2020: renewable-energy credits are issued to the provider.
SET tsetp.now = '2020-07-01 10:00+09';
SET SESSION AUTHORIZATION clerk;
SELECT tsetp.issue(p.account, 'RE', v.vintage::tsetp.fiscal_year, v.source, v.amount::tsetp.tco2) AS "renewable-energy credits issued"
  FROM public.demo_party p
 CROSS JOIN (VALUES ('FY2017', 'RE-SOLAR-KUMAGAYA', 4000), ('FY2018', 'RE-SOLAR-KUMAGAYA', 5000),
                    ('FY2019', 'RE-BIOMASS-CHICHIBU', 8000)) AS v(vintage, source, amount)
 WHERE p.kind = 're_provider';
RESET SESSION AUTHORIZATION;
RESET tsetp.now;
