-- verify_integrity(): every invariant of the registry and the engine,
-- checked over the stored rows, set-wise. The triggers and constraints keep
-- these true for every write; this function finds what an older version let
-- in, a restore without the triggers, or a superuser's hand stored anyway.
-- No rows means sound. docs/integrity.md explains each check and what to do.
--
-- The checks read every table as the extension's owner; only tsetp_admin may
-- run them. Their search_path puts tsetp after pg_catalog so that the
-- operators of the extension's types resolve (the schema admits no objects
-- but the extension's own).

-- The names of the checks and what each finds: the list a test and a
-- reader go by. verify_integrity() returns no other check_name.
CREATE FUNCTION tsetp.integrity_checks()
    RETURNS TABLE (check_name text, description text)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT v.check_name, v.description FROM (VALUES
        ('line_balance', 'per credit line (origin, kind, vintage, source): issued minus cancelled by the ledger differs from the units held'),
        ('serial_overlap', 'two holdings share a serial'),
        ('serial_unissued', 'a holding lies outside the block of the issue it falls in, or on another credit line'),
        ('serial_gap', 'the holdings within an issued block do not add up to the block: serials are missing or held twice'),
        ('serial_counter', 'the serial counter is missing or not past every issued serial'),
        ('holding_transaction', 'a holding names no ledger transaction, or one whose blocks do not contain it'),
        ('holding_state', 'a holding''s state or account is not what its transaction leaves (free, reserved, surrendered, retired, cancelled)'),
        ('transaction_holdings', 'a pending, surrendered, retired or cancelled transaction (or a reversed issue) does not hold exactly its blocks'),
        ('ledger_blocks', 'a ledger row''s amount, kind, vintage or source disagrees with the blocks it records'),
        ('ledger_programme', 'a ledger row''s accounts or kind are not of its programme, or it transfers to the sending account'),
        ('account_balance', 'an account''s units by kind and vintage differ from what its effective transactions moved in and out'),
        ('negative_balance', 'the effective transactions of an account take out more units of a kind and vintage than they brought in'),
        ('closed_account', 'a closed account holds free or reserved units'),
        ('holding_kind', 'a holding''s kind is not a credit kind of its account''s programme'),
        ('designated_account', 'a covered facility has no designated account, or its designated account is in another programme'),
        ('designated_holder', 'a designated account''s holder is not its facility''s operator'),
        ('commitment_reserve', 'an account''s free units are below its commitment reserve and its latest outgoing transaction is a transfer'),
        ('surrender_cap', 'surrendered and requested units of a capped kind exceed the kind''s share of the facility''s reduction obligation'),
        ('surrender_rules', 'a surrender breaks a rule of its period: facility not covered, another facility''s designated account, vintage not eligible, another facility''s own-facility kind, effective after the deadline'),
        ('excess_over_issued', 'standing excess reduction of a facility and period exceeds what the engine computes from the verified years up to its vintage'),
        ('excess_origin', 'standing excess reduction was issued with a block of another origin than the programme''s'),
        ('excess_account', 'excess reduction was issued elsewhere than the designated account of a facility of the programme whose code is its source'),
        ('excess_vintage', 'standing excess reduction''s vintage is not a verified year of its period from the programme''s excess_from_year-th year on'),
        ('four_eyes', 'an approved transaction was approved by the login (person) that requested it'),
        ('approval_target', 'a decision was recorded on a transaction that does not wait for approval'),
        ('correction', 'a correction does not mirror the transaction it reverses, or reverses a correction or a transaction that had not taken effect'),
        ('append_order', 'a decision or a correction is dated before what it decides or reverses'),
        ('holder_member_role', 'a holder_member row names a role that does not exist'),
        ('sequence_behind', 'an identity or running number is behind the ids or numbers in use (ledger, facility, account)'),
        ('coverage', 'tsetp.coverage differs from what the coverage rule computes from energy use'),
        ('base_revision', 'a base emissions history breaks the revision rules: first row with a reason, or a revision without an admissible ground or below the threshold')
    ) AS v(check_name, description);
END;
COMMENT ON FUNCTION tsetp.integrity_checks() IS
    'The checks of tsetp.verify_integrity(): each check_name it can return and what it finds (docs/integrity.md)';

CREATE FUNCTION tsetp.verify_integrity()
    RETURNS TABLE (check_name text, subject text, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, tsetp, pg_temp
    -- One large query of many parts: its estimated cost passes the JIT
    -- thresholds on any sizeable registry, and compiling it takes seconds,
    -- far more than running it (tenths of a second on the demo database).
    SET jit = off
AS $$
WITH
-- Every ledger row with its status, once.
tx AS MATERIALIZED (
    SELECT l.id, l.type, l.from_account, l.to_account, l.kind, l.amount::numeric AS amount, l.block,
           l.vintage, l.source, l.facility_id, l.period_no, l.corrects, l.programme, l.blocks,
           l.needs_approval, l.requested_by, l.requested_by_login, l.requested_at,
           s.status, s.effective_at, t.type AS target_type
      FROM tsetp.ledger l
      JOIN tsetp.transaction_status s ON s.id = l.id
      LEFT JOIN tsetp.ledger t ON t.id = l.corrects
),
-- Every block every ledger row records.
txb AS MATERIALIZED (
    SELECT x.id, x.type, b.block, first_serial(b.block) AS lo, last_serial(b.block) AS hi,
           tonnes(b.block) AS tonnes, origin(b.block) AS origin, kind(b.block) AS kind,
           vintage(b.block) AS vintage, source(b.block) AS source
      FROM tx x CROSS JOIN LATERAL unnest(x.blocks) AS b(block)
),
hold AS MATERIALIZED (
    SELECT h.block, h.account, h.state, h.tx, h.first_serial AS lo, h.first_serial + h.tonnes - 1 AS hi,
           h.tonnes, origin(h.block) AS origin, h.kind, h.vintage, source(h.block) AS source
      FROM tsetp.holding h
),
-- The issued blocks, and for each holding the issued block it falls in
-- (the last one starting at or before it).
iss AS MATERIALIZED (
    SELECT b.id, b.block, b.lo, b.hi, b.tonnes, b.origin, b.kind, b.vintage, b.source
      FROM txb b WHERE b.type = 'issue'
),
placed AS MATERIALIZED (
    SELECT e.*, max(e.issue_lo) OVER (ORDER BY e.lo, e.is_issue DESC ROWS UNBOUNDED PRECEDING) AS in_issue
      FROM (SELECT i.lo, i.hi, true AS is_issue, i.lo AS issue_lo, NULL::text AS block
              FROM iss i
            UNION ALL
            SELECT h.lo, h.hi, false, NULL, h.block::text FROM hold h) e
),
-- Balances by the ledger: what effective transactions moved in and out.
moved AS MATERIALIZED (
    SELECT m.account, b.kind, b.vintage, sum(m.sign * b.tonnes) AS tonnes
      FROM tx x
      JOIN txb b ON b.id = x.id
     CROSS JOIN LATERAL (VALUES (x.from_account, -1), (x.to_account, 1)) AS m(account, sign)
     WHERE x.effective_at IS NOT NULL AND m.account IS NOT NULL
     GROUP BY m.account, b.kind, b.vintage
),
held AS MATERIALIZED (
    SELECT h.account, h.kind, h.vintage, sum(h.tonnes) AS tonnes
      FROM hold h WHERE h.state IN ('free', 'reserved')
     GROUP BY h.account, h.kind, h.vintage
),
-- Standing excess reduction by facility and period, with the cumulative
-- amount issued up to each vintage.
se AS MATERIALIZED (
    SELECT f.id AS facility_id, f.code, s.period_no, s.vintage, s.vintage::int AS upto,
           sum(sum(s.amount::numeric)) OVER (PARTITION BY f.id, s.period_no ORDER BY s.vintage) AS issued
      FROM tsetp.standing_excess s
      JOIN tsetp.facility f ON f.programme = s.programme AND f.code = s.source
     WHERE s.period_no IS NOT NULL
     GROUP BY f.id, f.code, s.period_no, s.vintage
),
-- Facility-periods with capped surrenders.
capped AS MATERIALIZED (
    SELECT x.facility_id, x.period_no, x.kind, k.cap_numerator, k.cap_denominator, sum(x.amount) AS amount
      FROM tx x
      JOIN tsetp.credit_kind k ON k.programme = x.programme AND k.code = x.kind
     WHERE x.type = 'surrender' AND x.status IN ('requested', 'completed') AND k.cap_numerator IS NOT NULL
     GROUP BY x.facility_id, x.period_no, x.kind, k.cap_numerator, k.cap_denominator
),
-- The engine's evaluation, only of the facility-periods these need, each
-- row carrying what it is compared with: for each vintage of standing
-- excess, the totals over the verified years up to it; for each capped
-- kind surrendered, the period's totals.
engine AS MATERIALIZED (
    SELECT q.*, t.excess::numeric AS excess, t.last_verified_year, t.target_total::numeric AS target_total
      FROM (SELECT s.facility_id, s.code, s.period_no, s.vintage, s.upto, s.issued,
                   NULL::text AS kind, NULL::int AS cap_numerator, NULL::int AS cap_denominator, NULL::numeric AS amount
              FROM se s
            UNION ALL
            SELECT c.facility_id, NULL, c.period_no, NULL, NULL, NULL,
                   c.kind, c.cap_numerator, c.cap_denominator, c.amount
              FROM capped c) q
      LEFT JOIN tsetp.facility_period_input n ON n.facility_id = q.facility_id AND n.period_no = q.period_no
      LEFT JOIN LATERAL period_totals(
           n.coverage_start, n.years, n.standard_rate, n.ladder_first_n, n.ladder_last_n, n.ladder_rates,
           n.reduction_cap, n.base_from, n.base_amounts, n.emission_years, n.emission_amounts,
           CASE WHEN q.upto IS NULL THEN n.emission_verified
                ELSE ARRAY(SELECT u.v AND u.y::int <= q.upto
                             FROM unnest(n.emission_verified, n.emission_years) WITH ORDINALITY AS u(v, y, o)
                            ORDER BY u.o) END,
           n.relief_years, n.relief_kinds, n.relief_operations, n.relief_values, n.relief_standard_only) t
        ON n.facility_id IS NOT NULL
)

-- line_balance
SELECT 'line_balance', format('%s/%s/%s/%s', g.origin, g.kind, g.vintage, g.source),
       format('issued %s t, cancelled by the ledger %s t, held %s t', g.issued, g.cancelled, g.held)
  FROM (SELECT a.origin, a.kind, a.vintage, a.source,
               sum(a.issued) AS issued, sum(a.cancelled) AS cancelled, sum(a.held) AS held
          FROM (SELECT b.origin, b.kind, b.vintage, b.source, b.tonnes AS issued, 0 AS cancelled, 0 AS held
                  FROM txb b WHERE b.type = 'issue'
                UNION ALL
                SELECT b.origin, b.kind, b.vintage, b.source, 0, b.tonnes, 0
                  FROM txb b JOIN tx x ON x.id = b.id
                 WHERE (x.type = 'cancel' AND x.status = 'completed') OR (x.type = 'issue' AND x.status = 'reversed')
                UNION ALL
                SELECT h.origin, h.kind, h.vintage, h.source, 0, 0, h.tonnes
                  FROM hold h WHERE h.state <> 'cancelled') a
         GROUP BY a.origin, a.kind, a.vintage, a.source) g
 WHERE g.issued - g.cancelled <> g.held

UNION ALL
-- serial_overlap
SELECT 'serial_overlap', o.block, format('overlaps %s', o.prev)
  FROM (SELECT h.block::text AS block, h.lo,
               lag(h.block::text) OVER w AS prev, max(h.hi) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_hi
          FROM hold h WINDOW w AS (ORDER BY h.lo, h.hi)) o
 WHERE o.lo <= o.prev_hi

UNION ALL
-- serial_unissued
SELECT 'serial_unissued', p.block,
       CASE WHEN i.id IS NULL THEN 'no issue contains these serials'
            ELSE format('issue %s issued %s', i.id, i.block) END
  FROM placed p
  LEFT JOIN iss i ON i.lo = p.in_issue
  LEFT JOIN hold h ON h.lo = p.lo AND NOT p.is_issue
 WHERE NOT p.is_issue
   AND (i.id IS NULL OR p.hi > i.hi OR h.origin <> i.origin OR h.kind <> i.kind
        OR h.vintage <> i.vintage OR h.source <> i.source)

UNION ALL
-- serial_gap
SELECT 'serial_gap', i.block::text,
       format('issue %s issued %s t; the holdings within it hold %s t', i.id, i.tonnes, COALESCE(c.tonnes, 0))
  FROM iss i
  LEFT JOIN (SELECT p.in_issue, sum(p.hi - p.lo + 1) AS tonnes
               FROM placed p WHERE NOT p.is_issue GROUP BY p.in_issue) c ON c.in_issue = i.lo
 WHERE COALESCE(c.tonnes, 0) <> i.tonnes

UNION ALL
-- serial_counter
SELECT 'serial_counter', 'tsetp.serial_counter',
       format('%s row(s), next serial %s; highest serial issued %s', c.n, c.next_serial, m.top)
  FROM (SELECT count(*) AS n, max(s.next_serial) AS next_serial FROM tsetp.serial_counter s) c,
       (SELECT max(t.hi) AS top FROM (SELECT b.hi FROM iss b UNION ALL SELECT h.hi FROM hold h) t) m
 WHERE c.n <> 1 OR c.next_serial <= COALESCE(m.top, 0)

UNION ALL
-- holding_transaction
SELECT 'holding_transaction', h.block::text,
       CASE WHEN x.id IS NULL THEN format('transaction %s does not exist', h.tx)
            ELSE format('transaction %s (%s) did not move these serials', h.tx, x.type) END
  FROM hold h
  LEFT JOIN tx x ON x.id = h.tx
  LEFT JOIN txb b ON b.id = h.tx AND b.lo <= h.lo AND h.hi <= b.hi
                 AND b.origin = h.origin AND b.kind = h.kind AND b.vintage = h.vintage AND b.source = h.source
 WHERE b.id IS NULL

UNION ALL
-- holding_state
SELECT 'holding_state', h.account,
       format('block %s is %s in %s; transaction %s (%s, %s) leaves it %s in %s',
              h.block, h.state, h.account, x.id, x.type, x.status,
              COALESCE(e.state, 'nowhere'), COALESCE(e.account, '-'))
  FROM hold h
  JOIN tx x ON x.id = h.tx
 CROSS JOIN LATERAL (SELECT CASE
           WHEN x.status = 'reversed' THEN NULL
           WHEN x.type = 'correction' AND x.target_type = 'issue' THEN 'cancelled'
           WHEN x.type IN ('issue', 'transfer', 'correction') AND x.status = 'completed' THEN 'free'
           WHEN x.status = 'requested' THEN 'reserved'
           WHEN x.status IN ('rejected', 'cancelled') THEN 'free'
           WHEN x.type = 'surrender' THEN 'surrendered'
           WHEN x.type = 'retire' THEN 'retired'
           WHEN x.type = 'cancel' THEN 'cancelled' END,
         CASE
           WHEN x.status = 'reversed' THEN NULL
           WHEN x.type = 'correction' AND x.target_type = 'issue' THEN x.from_account
           WHEN x.type IN ('issue', 'transfer', 'correction') AND x.status = 'completed' THEN x.to_account
           ELSE x.from_account END) AS e(state, account)
 WHERE e.state IS DISTINCT FROM h.state OR e.account IS DISTINCT FROM h.account

UNION ALL
-- transaction_holdings
SELECT 'transaction_holdings', format('transaction %s', x.id),
       format('%s (%s) recorded %s t; %s t are held under it', x.type, x.status, b.tonnes, COALESCE(h.tonnes, 0))
  FROM tx x
  JOIN (SELECT b.id, sum(b.tonnes) AS tonnes FROM txb b GROUP BY b.id) b ON b.id = x.id
  LEFT JOIN (SELECT h.tx, sum(h.tonnes) AS tonnes FROM hold h GROUP BY h.tx) h ON h.tx = x.id
 WHERE (x.status = 'requested'
        OR (x.status = 'completed' AND x.type IN ('surrender', 'retire', 'cancel'))
        OR (x.type = 'correction' AND x.target_type = 'issue'))
   AND COALESCE(h.tonnes, 0) <> b.tonnes

UNION ALL
-- ledger_blocks
SELECT 'ledger_blocks', format('transaction %s', x.id),
       format('%s of %s t of %s records blocks %s', x.type, x.amount, x.kind, array_to_string(x.blocks, ' '))
  FROM tx x
  LEFT JOIN (SELECT b.id, sum(b.tonnes) AS tonnes, bool_and(b.kind = x2.kind) AS same_kind,
                    bool_and(b.vintage = x2.vintage AND b.source = x2.source) AS same_line
               FROM txb b JOIN tx x2 ON x2.id = b.id GROUP BY b.id) b ON b.id = x.id
 WHERE x.amount IS NULL OR x.amount <= 0 OR x.amount <> trunc(x.amount)
    OR x.amount <> COALESCE(b.tonnes, 0) OR NOT b.same_kind
    OR (x.type = 'issue' AND (x.block IS NULL OR x.blocks <> ARRAY[x.block] OR NOT b.same_line))

UNION ALL
-- ledger_programme
SELECT 'ledger_programme', format('transaction %s', x.id),
       format('programme %s; kind %s; from %s (%s); to %s (%s)', x.programme, x.kind,
              COALESCE(x.from_account, '-'), COALESCE(fa.programme, '-'), COALESCE(x.to_account, '-'), COALESCE(ta.programme, '-'))
  FROM tx x
  LEFT JOIN tsetp.account fa ON fa.number = x.from_account
  LEFT JOIN tsetp.account ta ON ta.number = x.to_account
 WHERE fa.programme <> x.programme OR ta.programme <> x.programme OR x.from_account = x.to_account
    OR NOT EXISTS (SELECT 1 FROM tsetp.credit_kind k WHERE k.programme = x.programme AND k.code = x.kind)

UNION ALL
-- account_balance
SELECT 'account_balance', COALESCE(m.account, h.account),
       format('%s of %s: the ledger moved in %s t net, the account holds %s t',
              COALESCE(m.kind, h.kind), COALESCE(m.vintage, h.vintage), COALESCE(m.tonnes, 0), COALESCE(h.tonnes, 0))
  FROM moved m
  FULL JOIN held h ON h.account = m.account AND h.kind = m.kind AND h.vintage = m.vintage
 WHERE COALESCE(m.tonnes, 0) <> COALESCE(h.tonnes, 0)

UNION ALL
-- negative_balance
SELECT 'negative_balance', m.account, format('%s of %s: %s t', m.kind, m.vintage, m.tonnes)
  FROM moved m WHERE m.tonnes < 0

UNION ALL
-- closed_account
SELECT 'closed_account', a.number, format('closed, holds %s t free or reserved', sum(h.tonnes))
  FROM tsetp.account a JOIN hold h ON h.account = a.number
 WHERE a.status = 'closed' AND h.state IN ('free', 'reserved')
 GROUP BY a.number

UNION ALL
-- holding_kind
SELECT 'holding_kind', h.account, format('block %s: programme %s has no credit kind %s', h.block, a.programme, h.kind)
  FROM hold h JOIN tsetp.account a ON a.number = h.account
 WHERE NOT EXISTS (SELECT 1 FROM tsetp.credit_kind k WHERE k.programme = a.programme AND k.code = h.kind)

UNION ALL
-- designated_account
SELECT 'designated_account', f.code,
       CASE WHEN a.number IS NULL THEN format('facility %s of %s is covered from %s and has no designated account', f.code, f.programme, c.coverage_start)
            ELSE format('designated account %s is in programme %s, the facility in %s', a.number, a.programme, f.programme) END
  FROM tsetp.facility f
  LEFT JOIN tsetp.coverage c ON c.facility_id = f.id
  LEFT JOIN tsetp.account a ON a.facility_id = f.id
 WHERE (a.number IS NULL AND c.facility_id IS NOT NULL) OR a.programme <> f.programme
    OR a.account_type <> 'designated'

UNION ALL
-- designated_holder
SELECT 'designated_holder', a.number, format('held by %s; facility %s is operated by %s', a.holder, f.code, f.operator)
  FROM tsetp.account a JOIN tsetp.facility f ON f.id = a.facility_id
 WHERE a.holder <> f.operator

UNION ALL
-- commitment_reserve
SELECT 'commitment_reserve', a.number,
       format('%s t free, commitment reserve %s t; transaction %s was a transfer', COALESCE(fr.tonnes, 0), a.commitment_reserve, o.id)
  FROM tsetp.account a
  LEFT JOIN (SELECT h.account, sum(h.tonnes) AS tonnes FROM hold h WHERE h.state = 'free' GROUP BY h.account) fr
         ON fr.account = a.number
 CROSS JOIN LATERAL (SELECT x.id, x.type FROM tx x
                      WHERE x.from_account = a.number AND x.type IN ('transfer', 'surrender', 'retire', 'cancel')
                        AND x.status IN ('requested', 'completed')
                      ORDER BY x.id DESC LIMIT 1) o
 WHERE a.commitment_reserve::numeric > 0 AND COALESCE(fr.tonnes, 0) < a.commitment_reserve::numeric
   AND o.type = 'transfer'

UNION ALL
-- surrender_cap
SELECT 'surrender_cap', f.code,
       format('period %s: %s t of %s surrendered or requested; the cap is %s/%s of %s t, %s t',
              c.period_no, c.amount, c.kind, c.cap_numerator, c.cap_denominator, c.target_total,
              floor(COALESCE(c.target_total, 0) * c.cap_numerator / c.cap_denominator))
  FROM engine c
  JOIN tsetp.facility f ON f.id = c.facility_id
 WHERE c.kind IS NOT NULL
   AND c.amount > floor(COALESCE(c.target_total, 0) * c.cap_numerator / c.cap_denominator)

UNION ALL
-- surrender_rules
SELECT 'surrender_rules', COALESCE(f.code, format('facility %s', x.facility_id)), format('transaction %s: %s', x.id, r.what)
  FROM tx x
  LEFT JOIN tsetp.facility f ON f.id = x.facility_id
  LEFT JOIN tsetp.programme p ON p.code = x.programme
  LEFT JOIN tsetp.plan_period pp ON pp.programme = f.programme AND pp.period_no = x.period_no
  LEFT JOIN tsetp.coverage c ON c.facility_id = f.id
  LEFT JOIN tsetp.account a ON a.number = x.from_account
 CROSS JOIN LATERAL (
       SELECT 'the facility is not covered in the period' WHERE f.programme IS DISTINCT FROM x.programme
           OR pp.period_no IS NULL OR c.coverage_start IS NULL OR c.coverage_start > upper(pp.years)
       UNION ALL
       SELECT format('account %s is the designated account of another facility', a.number)
        WHERE a.account_type = 'designated' AND a.facility_id <> x.facility_id
       UNION ALL
       SELECT format('it took effect on %s, after the deadline %s', (x.effective_at AT TIME ZONE p.timezone)::date, pp.deadline)
        WHERE x.status = 'completed' AND (x.effective_at AT TIME ZONE p.timezone)::date > pp.deadline
       UNION ALL
       SELECT format('block %s is not eligible for period %s', b.block, x.period_no)
         FROM unnest(x.blocks) AS b(block)
         LEFT JOIN tsetp.credit_kind k ON k.programme = x.programme AND k.code = kind(b.block)
        WHERE vintage_period(x.programme, vintage(b.block)) IS NULL
           OR vintage_period(x.programme, vintage(b.block)) > x.period_no
           OR NOT banking_eligible(vintage_period(x.programme, vintage(b.block)), x.period_no, p.banking_periods)
           OR (k.own_facility_only AND source(b.block) <> f.code)) AS r(what)
 WHERE x.type = 'surrender' AND x.status IN ('requested', 'completed')

UNION ALL
-- excess_over_issued
SELECT 'excess_over_issued', s.code,
       format('period %s, verified years to %s: %s t issued and standing; the engine computes %s t',
              s.period_no, s.vintage, s.issued, COALESCE(s.excess, 0))
  FROM engine s
 WHERE s.upto IS NOT NULL AND s.issued > COALESCE(s.excess, 0)

UNION ALL
-- excess_origin
SELECT 'excess_origin', COALESCE(x.source, format('transaction %s', x.id)),
       format('transaction %s issued %s of origin %s in programme %s (origin %s)', x.id, x.block, origin(x.block), x.programme, p.credit_origin)
  FROM tx x
  JOIN tsetp.programme p ON p.code = x.programme
  JOIN tsetp.credit_kind k ON k.programme = x.programme AND k.code = x.kind AND k.excess_reduction
 WHERE x.type = 'issue' AND x.status = 'completed' AND origin(x.block) <> p.credit_origin

UNION ALL
-- excess_account
SELECT 'excess_account', COALESCE(x.source, format('transaction %s', x.id)),
       format('transaction %s issued %s t into %s, %s', x.id, x.amount, x.to_account,
              CASE WHEN f.id IS NULL THEN 'and no facility of ' || x.programme || ' has that code'
                   ELSE 'not the designated account of facility ' || f.code END)
  FROM tx x
  JOIN tsetp.credit_kind k ON k.programme = x.programme AND k.code = x.kind AND k.excess_reduction
  LEFT JOIN tsetp.facility f ON f.programme = x.programme AND f.code = x.source
  LEFT JOIN tsetp.account a ON a.number = x.to_account
 WHERE x.type = 'issue' AND x.status = 'completed' AND (f.id IS NULL OR a.facility_id IS DISTINCT FROM f.id)

UNION ALL
-- excess_vintage
SELECT 'excess_vintage', s.code,
       format('vintage %s of period %s: %s', s.vintage, s.period_no,
              CASE WHEN s.last_verified_year IS DISTINCT FROM s.vintage THEN 'not a verified covered year of the facility'
                   ELSE 'before the year of the period from which excess reduction is issued' END)
  FROM engine s
  JOIN tsetp.facility f ON f.id = s.facility_id
  JOIN tsetp.programme p ON p.code = f.programme
  JOIN tsetp.plan_period pp ON pp.programme = f.programme AND pp.period_no = s.period_no
 WHERE s.upto IS NOT NULL AND (s.last_verified_year IS DISTINCT FROM s.vintage
    OR s.vintage::int - lower(pp.years)::int + 1 < COALESCE(p.excess_from_year, 1))

UNION ALL
-- excess_vintage (issues of excess reduction outside every plan period)
SELECT 'excess_vintage', s.source, format('transaction %s: vintage %s lies outside every plan period of %s', s.id, s.vintage, s.programme)
  FROM tsetp.standing_excess s WHERE s.period_no IS NULL

UNION ALL
-- four_eyes
SELECT 'four_eyes', format('transaction %s', x.id),
       format('requested and approved by login %s (as roles %s and %s)', x.requested_by_login, x.requested_by, d.decided_by)
  FROM tx x JOIN tsetp.approval d ON d.transaction_id = x.id
 WHERE d.decision = 'approved' AND d.decided_by_login = x.requested_by_login

UNION ALL
-- approval_target
SELECT 'approval_target', format('transaction %s', d.transaction_id),
       format('%s by %s; the %s did not wait for approval', d.decision, d.decided_by, x.type)
  FROM tsetp.approval d JOIN tx x ON x.id = d.transaction_id
 WHERE NOT x.needs_approval

UNION ALL
-- correction
SELECT 'correction', format('transaction %s', x.id), format('reverses transaction %s (%s, %s): %s', t.id, t.type, t.status, w.what)
  FROM tx x
  JOIN tx t ON t.id = x.corrects
 CROSS JOIN LATERAL (
       SELECT 'a correction is not corrected' WHERE t.type = 'correction'
       UNION ALL
       SELECT 'it had not taken effect' WHERE t.effective_at IS NULL
       UNION ALL
       SELECT 'its kind, amount, blocks or accounts do not mirror it'
        WHERE x.kind IS DISTINCT FROM t.kind OR x.amount IS DISTINCT FROM t.amount OR x.blocks <> t.blocks
           OR x.from_account IS DISTINCT FROM CASE WHEN t.type IN ('issue', 'transfer') THEN t.to_account END
           OR x.to_account IS DISTINCT FROM CASE WHEN t.type <> 'issue' THEN t.from_account END) AS w(what)
 WHERE x.type = 'correction'

UNION ALL
-- append_order
SELECT 'append_order', format('transaction %s', x.id), w.what
  FROM tx x
  LEFT JOIN tsetp.approval d ON d.transaction_id = x.id
  LEFT JOIN tx t ON t.id = x.corrects
 CROSS JOIN LATERAL (
       SELECT format('decided at %s, requested at %s', d.decided_at, x.requested_at) WHERE d.decided_at < x.requested_at
       UNION ALL
       SELECT format('reverses transaction %s, which took effect at %s, at %s', t.id, t.effective_at, x.requested_at)
        WHERE x.requested_at < t.effective_at OR x.id < t.id) AS w(what)

UNION ALL
-- holder_member_role
SELECT 'holder_member_role', m.holder, format('member %s is not a role', m.member)
  FROM tsetp.holder_member m
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = m.member)

UNION ALL
-- sequence_behind
SELECT 'sequence_behind', (SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE c.oid = q.seq), format('last value %s, highest in use %s', COALESCE(pg_sequence_last_value(q.seq), 0), q.top)
  FROM (SELECT pg_get_serial_sequence('tsetp.ledger', 'id')::regclass AS seq, (SELECT max(l.id) FROM tsetp.ledger l) AS top
        UNION ALL
        SELECT pg_get_serial_sequence('tsetp.facility', 'id')::regclass, (SELECT max(f.id) FROM tsetp.facility f)
        UNION ALL
        SELECT 'tsetp.account_number_seq'::regclass,
               (SELECT max(substring(a.number, '[DG]([0-9]{1,18})$')::bigint) FROM tsetp.account a)) q
 WHERE q.top > COALESCE(pg_sequence_last_value(q.seq), 0)

UNION ALL
-- coverage
SELECT 'coverage', COALESCE(f.code, format('facility %s', COALESCE(c.facility_id, n.facility_id))),
       format('stored coverage from %s; the rule computes %s',
              COALESCE(c.coverage_start::text, 'none'), COALESCE(n.coverage_start::text, 'none'))
  FROM tsetp.coverage c
  FULL JOIN tsetp.computed_coverage(ARRAY(SELECT f.id FROM tsetp.facility f)) n ON n.facility_id = c.facility_id
  LEFT JOIN tsetp.facility f ON f.id = COALESCE(c.facility_id, n.facility_id)
 WHERE c.coverage_start IS DISTINCT FROM n.coverage_start

UNION ALL
-- base_revision
SELECT 'base_revision', f.code, format('base from %s (%s t, reason %s): %s', b.effective_from, b.amount, COALESCE(b.reason, 'none'), w.what)
  FROM (SELECT b.*, lag(b.amount) OVER (PARTITION BY b.facility_id ORDER BY b.effective_from) AS prev
          FROM tsetp.base_emission b) b
  JOIN tsetp.facility f ON f.id = b.facility_id
  JOIN tsetp.programme p ON p.code = f.programme
  LEFT JOIN tsetp.revision_ground g ON g.programme = f.programme AND g.code = b.reason
 CROSS JOIN LATERAL (
       SELECT 'the first base emissions have a reason' WHERE b.prev IS NULL AND b.reason IS NOT NULL
       UNION ALL
       SELECT 'the revision has no admissible ground' WHERE b.prev IS NOT NULL AND g.admissible IS NOT TRUE
       UNION ALL
       SELECT format('the change from %s t is below the revision threshold', b.prev)
        WHERE b.prev IS NOT NULL AND NOT revision_required(b.prev, b.amount, p.revision_threshold)) AS w(what)
$$;
COMMENT ON FUNCTION tsetp.verify_integrity() IS
    'Checks every invariant of the registry and the engine over the stored rows and returns what is wrong (check_name, subject, detail); no rows means sound; tsetp.integrity_checks() lists the checks (tsetp_admin)';

REVOKE EXECUTE ON FUNCTION tsetp.verify_integrity() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tsetp.verify_integrity() TO tsetp_admin;
