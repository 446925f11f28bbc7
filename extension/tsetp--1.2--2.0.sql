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
-- The holder history (a row per holder of each account, from when to
-- when), started with the holder every account has now (who opened it is
-- not known: changed_by NULL).

CREATE TABLE tsetp.account_holder_history (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account    text NOT NULL REFERENCES tsetp.account ON UPDATE CASCADE,
    holder     text NOT NULL CHECK (holder <> ''),
    valid_from timestamptz NOT NULL,
    valid_to   timestamptz,
    changed_by name,
    changed_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE UNIQUE INDEX account_holder_history_current ON tsetp.account_holder_history (account) WHERE valid_to IS NULL;
COMMENT ON TABLE tsetp.account_holder_history IS
    'Holders of each account over time (a designated account follows its facility''s operator): written by the registry when an account is opened or its holder changes';
COMMENT ON COLUMN tsetp.account_holder_history.valid_from IS 'Registry time (tsetp.clock()) from which holder held the account: its opening, or the change';
COMMENT ON COLUMN tsetp.account_holder_history.valid_to IS 'Registry time of the next change of holder; NULL for the holder now';
COMMENT ON COLUMN tsetp.account_holder_history.changed_by IS 'Login (session user) that opened the account or changed its holder; NULL for holders recorded when a database was updated to 2.0';
COMMENT ON COLUMN tsetp.account_holder_history.changed_at IS 'Time of the transaction that made the change';
COMMENT ON INDEX tsetp.account_holder_history_current IS 'An account has one current holder';

SELECT pg_catalog.pg_extension_config_dump('tsetp.account_holder_history', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('tsetp.account_holder_history', 'id')::regclass, '');
INSERT INTO tsetp.account_holder_history (account, holder, valid_from, changed_by)
SELECT a.number, a.holder, a.opened_at, NULL FROM tsetp.account a ORDER BY a.number;

CREATE OR REPLACE FUNCTION tsetp.account_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fac tsetp.facility;
    n   bigint;
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
        PERFORM tsetp.registry_refuse(1009, 'registry accounts cannot be deleted',
            'Accounts and their history are kept for good.',
            'Close the account instead: UPDATE tsetp.account SET status = ''closed''.');
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- Numbers come from the registry's running number only: a number
        -- chosen by a client could later be the one the registry gives.
        IF NEW.number IS NOT NULL THEN
            PERFORM tsetp.registry_refuse(1010, pg_catalog.format('account number %s cannot be chosen', NEW.number),
                'The registry numbers accounts when they are opened.',
                'Leave number empty (or call tsetp.open_account); the new number is returned by RETURNING number.');
        END IF;
        IF NEW.facility_id IS NOT NULL THEN
            SELECT * INTO fac FROM tsetp.facility f WHERE f.id = NEW.facility_id;
            IF FOUND THEN
                NEW.programme := COALESCE(NEW.programme, fac.programme);
                NEW.holder := COALESCE(NEW.holder, fac.operator);
                NEW.account_type := COALESCE(NEW.account_type, 'designated');
                IF NEW.holder <> fac.operator THEN
                    PERFORM tsetp.registry_refuse(1015, pg_catalog.format('the designated account of facility %s is held by its operator', fac.code),
                        pg_catalog.format('Facility %s is operated by %s; the account was to be opened for %s.', fac.code, fac.operator, NEW.holder),
                        'Leave holder empty: it is taken from the facility''s operator.');
                END IF;
                IF NEW.programme <> fac.programme THEN
                    PERFORM tsetp.registry_refuse(2005, 'designated account must be in the facility''s programme',
                        pg_catalog.format('Facility %s is in programme %s, not %s.', fac.code, fac.programme, NEW.programme),
                        'Leave programme empty: it is taken from the facility.');
                END IF;
            END IF;
        END IF;
        NEW.account_type := COALESCE(NEW.account_type, 'general');
        NEW.opened_at := tsetp.clock();
        IF NEW.programme IS NOT NULL THEN
            n := pg_catalog.nextval('tsetp.account_number_seq');
            NEW.number := (SELECT p.credit_origin FROM tsetp.programme p WHERE p.code = NEW.programme)
                || CASE NEW.account_type WHEN 'designated' THEN '-D' ELSE '-G' END
                || pg_catalog.lpad(n::text, 6, '0');
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.number <> OLD.number OR NEW.programme <> OLD.programme OR NEW.account_type <> OLD.account_type
       OR NEW.facility_id IS DISTINCT FROM OLD.facility_id OR NEW.opened_at <> OLD.opened_at THEN
        PERFORM tsetp.registry_refuse(1009, pg_catalog.format('account %s cannot change its number, programme, type or facility', OLD.number),
            'An account''s identity is fixed when it is opened.',
            'Open a new account and transfer the units.');
    END IF;
    -- A designated account is held by its facility's operator: its holder
    -- changes only with the operator (tsetp.facility_operator_changed). The
    -- facility row is locked so that a concurrent change of operator waits.
    IF NEW.holder <> OLD.holder AND OLD.facility_id IS NOT NULL THEN
        SELECT * INTO fac FROM tsetp.facility f WHERE f.id = OLD.facility_id FOR SHARE;
        IF NEW.holder <> fac.operator THEN
            PERFORM tsetp.registry_refuse(1015, pg_catalog.format('the holder of designated account %s is the operator of facility %s', OLD.number, fac.code),
                pg_catalog.format('Facility %s is operated by %s; the account cannot be held by %s.', fac.code, fac.operator, NEW.holder),
                'Change the facility''s operator (UPDATE tsetp.facility SET operator = ...): its designated account follows.');
        END IF;
    END IF;
    IF OLD.status = 'closed' AND NEW.status <> 'closed' THEN
        PERFORM tsetp.registry_refuse(1003, pg_catalog.format('account %s is closed for good', OLD.number),
            pg_catalog.format('Account %s was closed.', OLD.number),
            'Open a new account.');
    END IF;
    IF NEW.status = 'closed' AND OLD.status <> 'closed' AND EXISTS (
            SELECT 1 FROM tsetp.holding h WHERE h.account = OLD.number AND h.state IN ('free', 'reserved')) THEN
        PERFORM tsetp.registry_refuse(1008, pg_catalog.format('account %s still holds units', OLD.number),
            pg_catalog.format('Account %s holds %s t that would be stranded.', OLD.number,
                (SELECT pg_catalog.sum(h.tonnes) FROM tsetp.holding h WHERE h.account = OLD.number AND h.state IN ('free', 'reserved'))),
            'Transfer, retire or cancel the units first, and withdraw pending requests.');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.account_check() IS
    'Trigger: numbers new accounts, fills in a designated account from its facility, keeps an account''s identity fixed, closes only empty accounts, never deletes';

CREATE FUNCTION tsetp.account_holder_log() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.holder = OLD.holder THEN
            RETURN NULL;
        END IF;
        UPDATE tsetp.account_holder_history h SET valid_to = tsetp.clock()
         WHERE h.account = NEW.number AND h.valid_to IS NULL;
    END IF;
    INSERT INTO tsetp.account_holder_history (account, holder, valid_from, changed_by)
    VALUES (NEW.number, NEW.holder, CASE TG_OP WHEN 'INSERT' THEN NEW.opened_at ELSE tsetp.clock() END,
            pg_catalog.session_user());
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.account_holder_log() IS
    'Trigger: records the holder of a new account, and each change of holder, in tsetp.account_holder_history';

CREATE TRIGGER account_holder_log AFTER INSERT OR UPDATE OF holder ON tsetp.account
    FOR EACH ROW EXECUTE FUNCTION tsetp.account_holder_log();

CREATE FUNCTION tsetp.facility_operator_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE tsetp.account a SET holder = NEW.operator
     WHERE a.facility_id = NEW.id AND a.holder <> NEW.operator;
    INSERT INTO tsetp.approval (transaction_id, decision, reason)
    SELECT l.id, 'rejected',
           pg_catalog.format('The operator of facility %s changed from %s to %s; the requester does not act for the new holder of account %s.',
                             NEW.code, OLD.operator, NEW.operator, l.from_account)
      FROM tsetp.ledger l
      JOIN tsetp.account a ON a.number = l.from_account AND a.facility_id = NEW.id
     WHERE l.needs_approval
       AND NOT EXISTS (SELECT 1 FROM tsetp.approval x WHERE x.transaction_id = l.id)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles q
                        WHERE q.rolname = l.requested_by
                          AND (pg_catalog.pg_has_role(q.oid, 'tsetp_admin', 'MEMBER')
                               OR EXISTS (SELECT 1 FROM tsetp.holder_member m
                                            JOIN pg_catalog.pg_roles r ON r.rolname = m.member
                                           WHERE m.holder = NEW.operator
                                             AND pg_catalog.pg_has_role(q.oid, r.oid, 'MEMBER'))))
     ORDER BY l.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.facility_operator_changed() IS
    'Trigger: a change of a facility''s operator makes the new operator the holder of its designated account (history in tsetp.account_holder_history) and rejects the account''s pending requests whose requester does not act for the new holder';

CREATE TRIGGER facility_operator_changed AFTER UPDATE OF operator ON tsetp.facility
    FOR EACH ROW WHEN (OLD.operator IS DISTINCT FROM NEW.operator)
    EXECUTE FUNCTION tsetp.facility_operator_changed();


-- A designated account whose holder is not its facility's operator (a
-- state 1.2 let a client store) is re-held by the operator, with a warning
-- naming it; its pending requests stay for the registry to decide.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT a.number, a.holder, f.code, f.operator
               FROM tsetp.account a JOIN tsetp.facility f ON f.id = a.facility_id
              WHERE a.holder <> f.operator ORDER BY a.number LOOP
        RAISE WARNING 'designated account % of facility % was held by %, not its operator %: now held by %',
            r.number, r.code, r.holder, r.operator, r.operator
            USING DETAIL = 'Version 2.0 keeps a designated account''s holder equal to its facility''s operator (check 1015).',
                  HINT = 'See tsetp.account_holder_history; decide the account''s pending requests.';
        UPDATE tsetp.account a SET holder = r.operator WHERE a.number = r.number;
    END LOOP;
END
$$;

-- Credit kinds: re-marking takes the issuance lock; no TRUNCATE.

CREATE OR REPLACE FUNCTION tsetp.credit_kind_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM tsetp.ledger l) THEN
            PERFORM tsetp.registry_refuse(3012, 'credit kinds cannot be truncated: the ledger holds transactions of them',
                'Its transactions, and the excess reduction issued of it, are read by its code and marking.',
                'Change kinds row by row.');
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.code = OLD.code AND NEW.programme = OLD.programme
       AND NEW.excess_reduction = OLD.excess_reduction THEN
        RETURN NEW;
    END IF;
    -- Under the programme's issuance lock: an issue of the kind running at
    -- the same time is either seen below or reads the new marking.
    PERFORM tsetp.excess_guard_lock(OLD.programme, false);
    IF EXISTS (SELECT 1 FROM tsetp.ledger l WHERE l.programme = OLD.programme AND l.kind = OLD.code) THEN
        PERFORM tsetp.registry_refuse(3012, pg_catalog.format('credit kind %s of %s cannot be removed, renamed or re-marked: the ledger holds transactions of it', OLD.code, OLD.programme),
            'Its transactions, and the excess reduction issued of it, are read by its code and marking.',
            'Change its name, limits or transferability instead, or add a new kind.');
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION tsetp.credit_kind_check() IS
    'Trigger: refuses to delete, rename or re-mark (excess_reduction) a credit kind that ledger transactions use, or to truncate the kinds while the ledger holds any transaction (check 3012)';

CREATE TRIGGER credit_kind_no_truncate BEFORE TRUNCATE ON tsetp.credit_kind
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.credit_kind_check();


-- The configuration excess reduction is computed with (checks 4018-4021).

CREATE FUNCTION tsetp.config_under_issue() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    code  int;
    free  text[];
    r     jsonb;
    progs text[];
    hit   record;
BEGIN
    code := CASE TG_TABLE_NAME WHEN 'programme' THEN 4018 WHEN 'plan_period' THEN 4019
                 WHEN 'target_rate' THEN 4020 WHEN 'transitional_rate' THEN 4020 WHEN 'relief' THEN 4020
                 ELSE 4021 END;
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM tsetp.excess_guard_lock(k.programme, false)
           FROM (SELECT DISTINCT k.programme FROM tsetp.credit_kind k WHERE k.excess_reduction ORDER BY 1) k;
        SELECT s.id, s.programme INTO hit FROM tsetp.standing_excess s ORDER BY s.id LIMIT 1;
        IF FOUND THEN
            PERFORM tsetp.registry_refuse(code, pg_catalog.format('%s cannot be truncated: excess reduction computed with it stands', TG_TABLE_NAME),
                pg_catalog.format('Transaction %s issued excess reduction of programme %s computed with the configuration.', hit.id, hit.programme),
                'Reverse the issues that rest on it first (tsetp.correct), or change it row by row where no issue stands.');
        END IF;
        RETURN NULL;
    END IF;
    free := CASE TG_TABLE_NAME
              WHEN 'programme' THEN '{name,name_ja,timezone,penalty_factor,banking_periods,excess_from_year,seeded}'::text[]
              WHEN 'plan_period' THEN '{deadline,seeded}'::text[]
              ELSE '{name,name_ja,explanation,seeded}'::text[] END;
    IF TG_OP = 'UPDATE' AND (pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.-) free)
                            = (pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.-) free) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND TG_TABLE_NAME IN ('category', 'certification_kind') THEN
        RETURN NEW;
    END IF;
    -- The row before and the row after (OLD is NULL on INSERT, NEW on DELETE).
    FOR r IN SELECT x FROM pg_catalog.unnest(ARRAY[pg_catalog.to_jsonb(OLD), pg_catalog.to_jsonb(NEW)]) AS x
              WHERE x IS NOT NULL LOOP
        IF TG_TABLE_NAME = 'certification_kind' THEN
            progs := ARRAY(SELECT DISTINCT x.programme FROM tsetp.relief x WHERE x.kind = r->>'code' ORDER BY 1);
        ELSE
            progs := ARRAY[CASE TG_TABLE_NAME WHEN 'programme' THEN r->>'code' ELSE r->>'programme' END];
        END IF;
        PERFORM tsetp.excess_guard_lock(p, false) FROM pg_catalog.unnest(progs) AS p;
        SELECT s.id, s.programme, s.source, s.period_no, s.vintage INTO hit
          FROM tsetp.standing_excess s
         WHERE s.programme = ANY (progs)
           AND CASE TG_TABLE_NAME
                 WHEN 'plan_period' THEN
                      s.period_no = (r->>'period_no')::int
                   OR s.vintage OPERATOR(tsetp.<@) (r->>'years')::tsetp.fiscal_period
                   OR NOT EXISTS (SELECT 1 FROM tsetp.plan_period pp
                                   WHERE pp.programme = s.programme AND pp.period_no < (r->>'period_no')::int)
                 WHEN 'target_rate' THEN
                      s.period_no = (r->>'period_no')::int
                  AND EXISTS (SELECT 1 FROM tsetp.facility f
                               WHERE f.programme = s.programme AND f.code = s.source AND f.category = r->>'category')
                 WHEN 'transitional_rate' THEN
                      s.period_no = (r->>'period_no')::int
                  AND EXISTS (SELECT 1 FROM tsetp.facility f
                               WHERE f.programme = s.programme AND f.code = s.source AND f.category = r->>'category')
                 WHEN 'relief' THEN s.period_no = (r->>'period_no')::int
                 WHEN 'category' THEN
                      EXISTS (SELECT 1 FROM tsetp.facility f
                               WHERE f.programme = s.programme AND f.code = s.source AND f.category = r->>'code')
                 WHEN 'certification_kind' THEN
                      EXISTS (SELECT 1 FROM tsetp.relief x
                               WHERE x.programme = s.programme AND x.period_no = s.period_no AND x.kind = r->>'code')
                 ELSE true
               END
         ORDER BY s.id
         LIMIT 1;
        IF FOUND THEN
            PERFORM tsetp.registry_refuse(code,
                pg_catalog.format('%s of programme %s cannot be %s: excess reduction computed with it stands',
                                  pg_catalog.replace(TG_TABLE_NAME, '_', ' '), hit.programme,
                                  CASE TG_OP WHEN 'INSERT' THEN 'added' WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END),
                pg_catalog.format('Transaction %s issued excess reduction of %s for period %s (verified years up to %s), computed with the %s in force then.',
                                  hit.id, hit.source, hit.period_no, hit.vintage, pg_catalog.replace(TG_TABLE_NAME, '_', ' ')),
                pg_catalog.format('Reverse the issues that rest on it first (tsetp.correct(%s, reason)), then make the change and issue again.', hit.id));
        END IF;
    END LOOP;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION tsetp.config_under_issue() IS
    'Trigger on the configuration the engine computes excess reduction with: refuses to add, change or delete a row of a programme, plan period, rate, ladder rung, relief, category, certification kind, revision ground or standard intensity while excess reduction computed with it stands, and to truncate these tables while any stands (checks 4018-4021)';

CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.programme
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.programme
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.plan_period
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.plan_period
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.category
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.category
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.target_rate
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.target_rate
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.transitional_rate
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.transitional_rate
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.certification_kind
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.certification_kind
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.relief
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.relief
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.revision_ground
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.revision_ground
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue BEFORE INSERT OR UPDATE OR DELETE ON tsetp.standard_intensity
    FOR EACH ROW EXECUTE FUNCTION tsetp.config_under_issue();
CREATE TRIGGER config_under_issue_no_truncate BEFORE TRUNCATE ON tsetp.standard_intensity
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.config_under_issue();


-- A request from a designated account takes effect only while its
-- requester acts for the account's holder (or is a tsetp_admin): one the
-- former operator made that a change of operator did not reject (it was
-- recorded while the change was under way), or one by a role that has
-- since stopped acting for the holder, cannot be approved (check 1015).
-- Fires after b_apply (name order); its refusal undoes the approval.
CREATE FUNCTION tsetp.approval_requester_acts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    IF NEW.decision <> 'approved' THEN
        RETURN NEW;
    END IF;
    SELECT l.id, l.requested_by, a.number, a.holder, f.code INTO r
      FROM tsetp.ledger l
      JOIN tsetp.account a ON a.number = l.from_account
      JOIN tsetp.facility f ON f.id = a.facility_id
     WHERE l.id = NEW.transaction_id;
    IF FOUND AND NOT EXISTS (
            SELECT 1 FROM pg_catalog.pg_roles q
             WHERE q.rolname = r.requested_by
               AND (pg_catalog.pg_has_role(q.oid, 'tsetp_admin', 'MEMBER')
                    OR EXISTS (SELECT 1 FROM tsetp.holder_member m
                                 JOIN pg_catalog.pg_roles g ON g.rolname = m.member
                                WHERE m.holder = r.holder AND pg_catalog.pg_has_role(q.oid, g.oid, 'MEMBER')))) THEN
        PERFORM tsetp.registry_refuse(1015, pg_catalog.format('transaction %s cannot be approved: %s does not act for the holder of designated account %s', r.id, r.requested_by, r.number),
            pg_catalog.format('Account %s of facility %s is held by its operator %s, for whom %s does not act.', r.number, r.code, r.holder, r.requested_by),
            'Reject the transaction; the holder''s roles may request it again.');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.approval_requester_acts() IS
    'Trigger: refuses to approve a request from a designated account whose requester does not act for the account''s holder (its facility''s operator) and is not a tsetp_admin (check 1015)';
CREATE TRIGGER c_requester_acts BEFORE INSERT ON tsetp.approval
    FOR EACH ROW EXECUTE FUNCTION tsetp.approval_requester_acts();

REVOKE EXECUTE ON FUNCTION tsetp.config_under_issue(), tsetp.account_holder_log(),
    tsetp.facility_operator_changed(), tsetp.approval_requester_acts() FROM PUBLIC;
GRANT SELECT ON tsetp.account_holder_history TO tsetp_admin;


-- == verify_integrity(): every invariant, checked after the update =========
-- (kept last: it reports what the database held under the older version)

