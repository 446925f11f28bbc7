-- tsetp 1.2 -> 2.0
--
-- Version 2.0 makes the registry's promise hold against every client.
-- Each part below is the update of one concern; a fresh install builds the
-- same objects from extension/sql/.
\echo Use "ALTER EXTENSION tsetp UPDATE TO '2.0'" to load this file. \quit

-- A facility id chosen with OVERRIDING SYSTEM VALUE under 1.2 may lie ahead
-- of its sequence; move the sequences past the ids in use.
SELECT pg_catalog.setval(s.seq, s.top)
  FROM (SELECT pg_catalog.pg_get_serial_sequence('tsetp.ledger', 'id')::regclass AS seq,
               (SELECT pg_catalog.max(l.id) FROM tsetp.ledger l) AS top
        UNION ALL
        SELECT pg_catalog.pg_get_serial_sequence('tsetp.facility', 'id')::regclass,
               (SELECT pg_catalog.max(f.id) FROM tsetp.facility f)) s
 WHERE s.top > COALESCE(pg_catalog.pg_sequence_last_value(s.seq), 0);

-- == Four-eyes by person, and the moment a rule is judged ==================
-- Four-eyes is two people: the login (session user) of the requester and
-- of the decider is recorded next to the acting role, stamped by
-- tsetp.registry_stamp() (extension/registry.c). Rows recorded before 2.0
-- knew only the role; their login is taken to be that role, which is what
-- four-eyes compared then. The append-only triggers are held off for that
-- one fill.
ALTER TABLE tsetp.ledger ADD COLUMN requested_by_login name;
ALTER TABLE tsetp.approval ADD COLUMN decided_by_login name;
ALTER TABLE tsetp.ledger DISABLE TRIGGER ledger_append_only;
ALTER TABLE tsetp.approval DISABLE TRIGGER approval_append_only;
UPDATE tsetp.ledger SET requested_by_login = requested_by;
UPDATE tsetp.approval SET decided_by_login = decided_by;
ALTER TABLE tsetp.ledger ENABLE TRIGGER ledger_append_only;
ALTER TABLE tsetp.approval ENABLE TRIGGER approval_append_only;
ALTER TABLE tsetp.ledger ALTER COLUMN requested_by_login SET NOT NULL;
ALTER TABLE tsetp.approval ALTER COLUMN decided_by_login SET NOT NULL;
COMMENT ON COLUMN tsetp.ledger.requested_by_login IS 'Set by the registry: the login (session user) that requested, whatever role it acted as; four-eyes compares it with the approver''s';
COMMENT ON COLUMN tsetp.approval.decided_by_login IS 'Set by the registry: the login (session user) that decided, whatever role it acted as';
COMMENT ON TABLE tsetp.approval IS
    'Decisions on transactions that wait for approval, append-only: approved (by a tsetp_admin, a login other than the requester''s), rejected (by a tsetp_admin) or withdrawn (by the requester''s login or a tsetp_admin)';
COMMENT ON FUNCTION tsetp.registry_stamp() IS
    'Trigger: records the role that inserts a ledger or approval row, its login (session user) and the registry''s time, whatever the client wrote there';

-- The clock is the statement's time; a pin only for a superuser login.
COMMENT ON FUNCTION tsetp.clock() IS
    'The registry''s clock: the current statement''s time (statement_timestamp(), or the transaction''s start when later, in a procedure), or the setting tsetp.now (e.g. SET tsetp.now = ''2026-06-01 10:30+09'') in a session whose login is a superuser, for tests (check 5012 refuses it for any other login)';

-- Four-eyes by login; withdrawal by the requester's login; an approval is
-- judged (business hours, the surrender deadline) when it is made.
CREATE OR REPLACE FUNCTION tsetp.approval_apply() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t    tsetp.ledger;
    a    tsetp.account;
    prog tsetp.programme;
    rule tsetp.transaction_rule;
    pp   tsetp.plan_period;
BEGIN
    SELECT * INTO t FROM tsetp.ledger l WHERE l.id = NEW.transaction_id FOR UPDATE;
    IF NOT FOUND OR NOT t.needs_approval OR EXISTS (SELECT 1 FROM tsetp.approval x WHERE x.transaction_id = t.id) THEN
        PERFORM tsetp.registry_refuse(5003, pg_catalog.format('transaction %s is not waiting for approval', NEW.transaction_id),
            CASE WHEN t.id IS NULL THEN 'There is no such transaction.'
                 WHEN NOT t.needs_approval THEN 'It took effect when it was recorded.'
                 ELSE (SELECT pg_catalog.format('It was %s by %s at %s.', x.decision, x.decided_by, x.decided_at)
                         FROM tsetp.approval x WHERE x.transaction_id = t.id) END,
            'See tsetp.transaction_status.');
    END IF;
    -- The requester is a person (the login, requested_by_login), whatever
    -- role it acts as; what a role may do (tsetp_admin) is the acting role's.
    IF NEW.decision = 'withdrawn' THEN
        IF NEW.decided_by_login <> t.requested_by_login AND NOT pg_catalog.pg_has_role(NEW.decided_by, 'tsetp_admin', 'MEMBER') THEN
            PERFORM tsetp.registry_refuse(5009, pg_catalog.format('only %s can withdraw transaction %s', t.requested_by_login, t.id),
                pg_catalog.format('Login %s requested it; login %s (acting as %s) is not the requester, and %s is not a tsetp_admin.',
                                  t.requested_by_login, NEW.decided_by_login, NEW.decided_by, NEW.decided_by),
                'Ask the requester to withdraw it.');
        END IF;
    ELSE
        IF NOT pg_catalog.pg_has_role(NEW.decided_by, 'tsetp_admin', 'MEMBER') THEN
            PERFORM tsetp.registry_refuse(5002, pg_catalog.format('%s may not decide on transaction %s', NEW.decided_by, t.id),
                'Only a role holding tsetp_admin approves or rejects transactions.',
                'Ask the registry administrator.');
        END IF;
        -- Four-eyes: two people, i.e. two logins, whatever roles they act
        -- as (SET ROLE, group roles, SECURITY DEFINER functions).
        IF NEW.decision = 'approved' AND NEW.decided_by_login = t.requested_by_login THEN
            PERFORM tsetp.registry_refuse(5001, pg_catalog.format('login %s cannot approve its own transaction %s', NEW.decided_by_login, t.id),
                pg_catalog.format('Login %s requested it (as role %s) and approves it (as role %s); a transaction takes effect only when approved by another person, a login other than the requester''s (four-eyes).',
                                  t.requested_by_login, t.requested_by, NEW.decided_by),
                'Ask a tsetp_admin who logs in as another person to approve it.');
        END IF;
    END IF;
    IF NEW.decision = 'approved' THEN
        -- The approval makes the transaction take effect: the rules judged by
        -- the clock are judged again now, at the approval's statement
        -- (NEW.decided_at, stamped by tsetp.registry_stamp), not at the
        -- request or the start of the approving transaction.
        SELECT * INTO prog FROM tsetp.programme p WHERE p.code = t.programme;
        SELECT * INTO rule FROM tsetp.transaction_rule r WHERE r.programme = t.programme AND r.type = t.type;
        IF rule.business_hours AND NOT tsetp.in_business_hours(t.programme, NEW.decided_at) THEN
            PERFORM tsetp.registry_refuse(5004, pg_catalog.format('%s transactions take effect only in business hours', t.type),
                pg_catalog.format('Approving transaction %s would make it take effect at %s in %s; the %s registry accepts %s transactions %s.',
                                  t.id, pg_catalog.to_char(NEW.decided_at AT TIME ZONE prog.timezone, 'Dy YYYY-MM-DD HH24:MI'), prog.timezone, t.programme, t.type,
                                  (SELECT pg_catalog.format('%s-%s on ISO weekdays %s except registry holidays',
                                                            pg_catalog.to_char(b.opens, 'HH24:MI'), pg_catalog.to_char(b.closes, 'HH24:MI'),
                                                            pg_catalog.array_to_string(b.weekdays, ','))
                                     FROM tsetp.business_hours b WHERE b.programme = t.programme)),
                'Approve it again within business hours.');
        END IF;
        IF t.type = 'surrender' THEN
            SELECT * INTO pp FROM tsetp.plan_period p WHERE p.programme = t.programme AND p.period_no = t.period_no;
            IF (NEW.decided_at AT TIME ZONE prog.timezone)::date > pp.deadline THEN
                PERFORM tsetp.registry_refuse(4005, pg_catalog.format('the deadline for period %s has passed', t.period_no),
                    pg_catalog.format('Transaction %s would take effect on %s; credits for period %s (%s) could be surrendered until %s.',
                                      t.id, (NEW.decided_at AT TIME ZONE prog.timezone)::date, t.period_no, pp.years, pp.deadline),
                    'Reject the surrender; a surrender approved after the deadline does not count.');
            END IF;
        END IF;
        SELECT * INTO a FROM tsetp.account x WHERE x.number = t.from_account;
        IF a.status <> 'open' THEN
            PERFORM tsetp.registry_refuse(CASE a.status WHEN 'suspended' THEN 1002 ELSE 1003 END,
                pg_catalog.format('sending account %s is %s', a.number, a.status),
                pg_catalog.format('Account %s of %s was %s after transaction %s was requested.', a.number, a.holder, a.status, t.id),
                'Reject the transaction, or lift the suspension first.');
        END IF;
        IF t.to_account IS NOT NULL THEN
            SELECT * INTO a FROM tsetp.account x WHERE x.number = t.to_account;
            IF a.status <> 'open' THEN
                PERFORM tsetp.registry_refuse(CASE a.status WHEN 'suspended' THEN 2003 ELSE 2004 END,
                    pg_catalog.format('receiving account %s is %s', a.number, a.status),
                    pg_catalog.format('Account %s of %s was %s after transaction %s was requested.', a.number, a.holder, a.status, t.id),
                    'Reject the transaction, or lift the suspension first.');
            END IF;
        END IF;
        UPDATE tsetp.holding x
           SET account = COALESCE(t.to_account, x.account),
               state = CASE t.type WHEN 'transfer' THEN 'free' WHEN 'surrender' THEN 'surrendered' ELSE 'retired' END
         WHERE x.tx = t.id AND x.state = 'reserved';
    ELSE
        UPDATE tsetp.holding x SET state = 'free' WHERE x.tx = t.id AND x.state = 'reserved';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.approval_apply() IS
    'Trigger: checks a decision on a pending transaction (four-eyes approval by a tsetp_admin of another login, in business hours and before the deadline at the approval; rejection; withdrawal by the requester''s login) and applies or releases its reserved units';

-- Both logins in the status and the report.
CREATE OR REPLACE VIEW tsetp.transaction_status AS
SELECT l.id,
       CASE WHEN c.id IS NOT NULL THEN 'reversed'
            WHEN NOT l.needs_approval OR a.decision = 'approved' THEN 'completed'
            WHEN a.decision IS NULL THEN 'requested'
            WHEN a.decision = 'rejected' THEN 'rejected'
            ELSE 'cancelled' END AS status,
       CASE WHEN NOT l.needs_approval THEN l.requested_at
            WHEN a.decision = 'approved' THEN a.decided_at END AS effective_at,
       a.decided_by, a.decided_at, a.reason,
       c.id AS reversed_by, c.requested_at AS reversed_at,
       a.decided_by_login
  FROM tsetp.ledger l
  LEFT JOIN tsetp.approval a ON a.transaction_id = l.id
  LEFT JOIN tsetp.ledger c ON c.corrects = l.id;

CREATE OR REPLACE VIEW tsetp.ledger_report AS
SELECT l.id AS transaction_id,
       COALESCE(s.effective_at, l.requested_at) AS date,
       l.requested_at, s.effective_at,
       l.type, s.status, l.programme,
       x.account, x.counterparty,
       l.kind,
       CASE WHEN x.direction = 'in' THEN l.amount::numeric END AS amount_in,
       CASE WHEN x.direction = 'out' THEN l.amount::numeric END AS amount_out,
       (l.type = 'correction') AS correction,
       l.corrects, s.reversed_by,
       l.facility_id, l.period_no,
       pg_catalog.array_to_string(l.blocks, ' ') AS blocks,
       l.requested_by, s.decided_by, l.note,
       l.requested_by_login, s.decided_by_login
  FROM tsetp.ledger l
  JOIN tsetp.transaction_status s ON s.id = l.id
 CROSS JOIN LATERAL (VALUES (l.from_account, l.to_account, 'out'), (l.to_account, l.from_account, 'in')) AS x(account, counterparty, direction)
  JOIN tsetp.account a ON a.number = x.account
 WHERE tsetp.sees_holder(a.holder);
COMMENT ON COLUMN tsetp.ledger_report.requested_by_login IS 'Login (person) that requested the transaction, whatever role it acted as';
COMMENT ON COLUMN tsetp.ledger_report.decided_by_login IS 'Login (person) that approved, rejected or withdrew it, whatever role it acted as';



-- == What each role reads: row-level security, refusals, the report views ==


-- == Every check across sessions and isolation levels; no one stalls others


-- == What issued credits rest on; the designated account's holder =========


-- == verify_integrity(): every invariant, checked after the update =========
-- (kept last: it reports what the database held under the older version)

