-- The registry (削減量口座簿): accounts, serial-numbered holdings, and the
-- append-only ledger of transactions whose legality the database enforces.
--
-- An integrator may INSERT into tsetp.ledger directly; the functions below
-- (tsetp.transfer, tsetp.surrender, ...) are conveniences over that INSERT.
-- Every rule is checked by the ledger's triggers and the holdings' exclusion
-- constraint, and every refusal names its check code (docs/checks.md): the
-- SQLSTATE is 'TR' followed by the code's group digit and its last two
-- digits (check 1004 is SQLSTATE TR104), and the DETAIL starts with
-- "Check 1004:".
--
-- Model. tsetp.holding holds every serial ever issued, in blocks, exactly
-- once (EXCLUDE USING gist (block WITH &&), on the credit GiST operator
-- class keyed by serials): free or reserved in an account, or surrendered,
-- retired or cancelled where they were. Blocks are split when
-- part of one moves and are never merged. A ledger row records what was
-- requested and, set by the trigger, the blocks it moved (blocks). Its status
-- is derived, never updated: a decision row in tsetp.approval and a
-- correction row pointing at it (tsetp.transaction_status).
--
-- Clock. The registry's time is tsetp.clock(): the moment of the current
-- statement (statement_timestamp(); the transaction's start in a
-- procedure's later transactions), or the timestamp in the setting
-- tsetp.now when the login that authenticated the session is a superuser
-- (so that tests can pin business hours and deadlines and nobody else can:
-- another login that sets it is refused, check 5012). A rule judged by the
-- clock is judged at the statement that makes the transaction take effect
-- (the request, or the approval of one that waits), and that statement's row
-- records the same moment (requested_at, decided_at); see registry_now in
-- extension/registry.c.
--
-- Four-eyes. A request and its approval must be by two people: two
-- different logins (the session user, which SET ROLE, group roles and
-- SECURITY DEFINER functions do not change), recorded next to the acting
-- roles (requested_by_login, decided_by_login). What a role may do is
-- decided by the acting role; who the person is, by the login.

-- ---------------------------------------------------------------------------
-- Clock and refusals
-- ---------------------------------------------------------------------------

CREATE FUNCTION tsetp.clock() RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'registry_clock'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.clock() IS
    'The registry''s clock: the current statement''s time (statement_timestamp(), or the transaction''s start when later, in a procedure), or the setting tsetp.now (e.g. SET tsetp.now = ''2026-06-01 10:30+09'') in a session whose login is a superuser, for tests (check 5012 refuses it for any other login)';

CREATE FUNCTION tsetp.registry_refuse(code int, message text, detail text, hint text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = message,
        ERRCODE = 'TR' || (code / 1000)::text || pg_catalog.lpad((code % 100)::text, 2, '0'),
        DETAIL = 'Check ' || code::text || ': ' || detail,
        HINT = hint;
END
$$;
COMMENT ON FUNCTION tsetp.registry_refuse(int, text, text, text) IS
    'Raises the registry refusal of a check code: SQLSTATE TR + group digit + last two digits, DETAIL "Check NNNN: ...", and the hint (docs/checks.md)';

-- A refusal that would name another holder's business (its account's
-- holder or status, its facility, its transactions) has two wordings: the
-- detailed one for a caller who may see it (detailed: a tsetp_admin, or a
-- role acting for that holder), the brief one for anyone else. The check
-- code is the same.
CREATE FUNCTION tsetp.registry_refuse(code int, detailed boolean, message text, detail text, hint text,
                                      brief_message text, brief_detail text, brief_hint text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF detailed THEN
        PERFORM tsetp.registry_refuse(code, message, detail, hint);
    END IF;
    PERFORM tsetp.registry_refuse(code, brief_message, brief_detail, brief_hint);
END
$$;
COMMENT ON FUNCTION tsetp.registry_refuse(int, boolean, text, text, text, text, text, text) IS
    'Raises the registry refusal of a check code with the detailed message, detail and hint when detailed is true (the caller may see what they name), else with the brief ones';

-- Whether a role may see an account holder's or facility operator's
-- business: a tsetp_admin, or a role acting for the holder.
CREATE FUNCTION tsetp.role_sees_holder(role name, holder text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN pg_catalog.pg_has_role($1, 'tsetp_admin', 'MEMBER')
        OR EXISTS (SELECT 1 FROM tsetp.holder_member m
                    WHERE m.holder OPERATOR(pg_catalog.=) $2 AND tsetp.acts_as($1, m.member));
COMMENT ON FUNCTION tsetp.role_sees_holder(name, text) IS
    'True when the role is a tsetp_admin or acts for the holder (tsetp.holder_member): what a refusal may tell it about the holder''s accounts, facilities and transactions';

-- ---------------------------------------------------------------------------
-- Configuration: what each programme's registry allows, and when
-- ---------------------------------------------------------------------------

CREATE TABLE tsetp.transaction_rule (
    programme      text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    type           text NOT NULL CHECK (type IN ('issue', 'transfer', 'surrender', 'retire', 'cancel', 'correction')),
    needs_approval boolean NOT NULL DEFAULT false,
    business_hours boolean NOT NULL DEFAULT false,
    seeded         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, type),
    CHECK (NOT needs_approval OR type IN ('transfer', 'surrender', 'retire'))
);
COMMENT ON TABLE tsetp.transaction_rule IS
    'Transaction types a programme''s registry offers; which take effect only on approval by a second tsetp_admin (four-eyes), and which are accepted only in business hours';
COMMENT ON COLUMN tsetp.transaction_rule.needs_approval IS
    'Requested, the units are reserved; the transaction takes effect when another tsetp_admin calls tsetp.approve (transfer, surrender, retire only)';
COMMENT ON COLUMN tsetp.transaction_rule.business_hours IS
    'Accepted only within tsetp.business_hours of the programme, on days that are not tsetp.registry_holiday';

CREATE TABLE tsetp.business_hours (
    programme   text PRIMARY KEY REFERENCES tsetp.programme ON UPDATE CASCADE,
    opens       time NOT NULL,
    closes      time NOT NULL,
    weekdays    int[] NOT NULL DEFAULT '{1,2,3,4,5}' CHECK (weekdays <@ '{1,2,3,4,5,6,7}' AND weekdays <> '{}'),
    seeded      boolean NOT NULL DEFAULT false,
    CHECK (closes > opens)
);
COMMENT ON TABLE tsetp.business_hours IS
    'Business hours of a programme''s registry in the programme''s time zone (programme.timezone): opens <= local time < closes on the ISO weekdays listed (1 = Monday)';

CREATE TABLE tsetp.registry_holiday (
    programme   text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    day         date NOT NULL,
    name        text,
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, day)
);
COMMENT ON TABLE tsetp.registry_holiday IS
    'Days on which a programme''s registry is closed although they are weekdays (national holidays, year-end); none are shipped: add your calendar';

CREATE TABLE tsetp.account_route (
    programme   text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    type        text NOT NULL CHECK (type IN ('issue', 'transfer', 'surrender', 'retire', 'cancel')),
    from_type   text NOT NULL CHECK (from_type IN ('designated', 'general', 'none')),
    to_type     text NOT NULL CHECK (to_type IN ('designated', 'general', 'none')),
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, type, from_type, to_type),
    CHECK ((from_type = 'none') = (type = 'issue')),
    CHECK ((to_type = 'none') = (type IN ('surrender', 'retire', 'cancel')))
);
COMMENT ON TABLE tsetp.account_route IS
    'From which account type to which a transaction type may go in a programme (none: issuance has no sending account; surrender, retirement and cancellation no receiving one)';

SELECT tsetp.register_config_table(('tsetp.' || tab)::regclass, keycols)
  FROM (VALUES
        ('transaction_rule', ARRAY['programme', 'type']),
        ('business_hours', ARRAY['programme']),
        ('registry_holiday', ARRAY['programme', 'day']),
        ('account_route', ARRAY['programme', 'type', 'from_type', 'to_type'])) AS v(tab, keycols);

-- Saitama and Tokyo: the prefecture approves transfers and surrenders (and
-- voluntary retirement); JVETS transfers take effect at once, 10:00-18:00 JST
-- on business days.
INSERT INTO tsetp.transaction_rule (programme, type, needs_approval, business_hours)
SELECT p.programme, t.type, p.approval AND t.type IN ('transfer', 'surrender', 'retire'),
       p.hours AND t.type = 'transfer'
  FROM (VALUES ('saitama', true, false), ('tokyo', true, false), ('jvets', false, true))
       AS p(programme, approval, hours)
 CROSS JOIN (VALUES ('issue'), ('transfer'), ('surrender'), ('retire'), ('cancel'), ('correction')) AS t(type)
 WHERE NOT (p.programme = 'jvets' AND t.type = 'surrender');

INSERT INTO tsetp.business_hours (programme, opens, closes, weekdays) VALUES
    ('jvets', '10:00', '18:00', '{1,2,3,4,5}');

INSERT INTO tsetp.account_route (programme, type, from_type, to_type)
SELECT p.programme, r.type, r.from_type, r.to_type
  FROM (VALUES ('saitama'), ('tokyo'), ('jvets')) AS p(programme)
 CROSS JOIN (VALUES
        ('issue', 'none', 'designated'), ('issue', 'none', 'general'),
        ('transfer', 'designated', 'designated'), ('transfer', 'designated', 'general'),
        ('transfer', 'general', 'designated'), ('transfer', 'general', 'general'),
        ('surrender', 'designated', 'none'),
        ('retire', 'designated', 'none'), ('retire', 'general', 'none'),
        ('cancel', 'designated', 'none'), ('cancel', 'general', 'none')) AS r(type, from_type, to_type)
 WHERE NOT (p.programme = 'jvets' AND r.type = 'surrender');

-- ---------------------------------------------------------------------------
-- Accounts
-- ---------------------------------------------------------------------------

CREATE SEQUENCE tsetp.account_number_seq;
COMMENT ON SEQUENCE tsetp.account_number_seq IS 'Running number of registry accounts';

CREATE TABLE tsetp.account (
    number             text PRIMARY KEY CHECK (number ~ '^[A-Z0-9]{1,8}-[DG][0-9]{6,}$'),
    programme          text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    account_type       text NOT NULL CHECK (account_type IN ('designated', 'general')),
    holder             text NOT NULL CHECK (holder <> ''),
    facility_id        bigint UNIQUE REFERENCES tsetp.facility,
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'suspended', 'closed')),
    commitment_reserve tsetp.tco2 NOT NULL DEFAULT '0',
    opened_at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CHECK ((account_type = 'designated') = (facility_id IS NOT NULL)),
    CHECK (commitment_reserve >= '0'::tsetp.tco2)
);
COMMENT ON TABLE tsetp.account IS
    'Registry accounts: one designated account (指定管理口座) per covered facility, opened automatically and held by its operator; general accounts (一般管理口座) opened by anyone';
COMMENT ON COLUMN tsetp.account.number IS
    'Account number: issuing programme''s credit origin, D (designated) or G (general), running number, e.g. SAI-D000001';
COMMENT ON COLUMN tsetp.account.holder IS 'Account holder (the facility''s operator for a designated account); see tsetp.holder_member for the roles acting for it';
COMMENT ON COLUMN tsetp.account.status IS 'open; suspended (nothing leaves or enters); closed (for good, only when empty)';
COMMENT ON COLUMN tsetp.account.commitment_reserve IS
    'JVETS commitment reserve: transfers may not bring the account''s free units below it (retirement may)';

-- Fills in the account number and the designated account's programme and
-- holder; number, programme, type and facility never change; an account is
-- closed, never deleted, and only when it holds nothing.
CREATE FUNCTION tsetp.account_check() RETURNS trigger
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
    -- A change of status or reserve waits for (or, outside READ COMMITTED,
    -- conflicts with) every movement into or out of the account, so that the
    -- check below sees them all (tsetp.account_guard).
    IF NEW.status <> OLD.status OR NEW.commitment_reserve OPERATOR(tsetp.<>) OLD.commitment_reserve THEN
        PERFORM tsetp.account_guard_touch(ARRAY[OLD.number]);
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

CREATE TRIGGER account_check BEFORE INSERT OR UPDATE OR DELETE ON tsetp.account
    FOR EACH ROW EXECUTE FUNCTION tsetp.account_check();
CREATE TRIGGER account_no_truncate BEFORE TRUNCATE ON tsetp.account
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.account_check();

-- Who held each account when: a row per holder of an account, from the
-- time it became the holder (the opening, or the change) until the next
-- change (valid_to NULL: the holder now), with the login (session user)
-- that made the change. Written by the registry only, when an account is
-- opened and whenever its holder changes (a designated account's when its
-- facility's operator changes); rows are never deleted.
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

-- The designated account follows its facility's operator (SPEC 4.2): the
-- new operator holds it from the change on, and the former operator's
-- roles lose sight of it at once (row-level security reads the holder).
-- Requests from the account still waiting for approval whose requester
-- acts neither for the new holder nor as a tsetp_admin are rejected by the
-- change (their reserved units are free again in the account): the former
-- operator can no longer see, withdraw or answer for them. Runs with the
-- rights of the role that changes the operator (a tsetp_admin), who is
-- recorded as deciding the rejections.
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

-- A role that is not a tsetp_admin opens general accounts only (row-level
-- security says so too); refused before tsetp.account_check (which runs as
-- the owner) looks up the facility, so that the refusal tells nothing about
-- it. Runs as the caller, and its name sorts first.
CREATE FUNCTION tsetp.account_caller_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.facility_id IS NOT NULL AND NOT pg_catalog.pg_has_role('tsetp_admin', 'MEMBER') THEN
        RAISE EXCEPTION 'permission denied to open a designated account'
            USING ERRCODE = '42501',
                  DETAIL = 'The registry opens a facility''s designated account when the facility becomes covered.',
                  HINT = 'Open a general account (tsetp.open_account).';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.account_caller_check() IS
    'Trigger: refuses a designated account opened by a role that is not a tsetp_admin (42501), before anything about the facility is looked up';
CREATE TRIGGER a_caller_check BEFORE INSERT ON tsetp.account
    FOR EACH ROW EXECUTE FUNCTION tsetp.account_caller_check();

-- Opens the designated account of every facility that has just become
-- covered (a row added to tsetp.coverage, whether energy use or the
-- programme's coverage rule changed).
CREATE FUNCTION tsetp.open_designated_accounts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO tsetp.account (programme, account_type, holder, facility_id)
    SELECT f.programme, 'designated', f.operator, f.id
      FROM new_rows n
      JOIN tsetp.facility f ON f.id = n.facility_id
     WHERE NOT EXISTS (SELECT 1 FROM tsetp.account a WHERE a.facility_id = f.id)
     ORDER BY f.id
    ON CONFLICT (facility_id) DO NOTHING;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.open_designated_accounts() IS
    'Trigger on coverage: opens the designated account of each facility that has become covered';

CREATE TRIGGER open_designated_accounts AFTER INSERT ON tsetp.coverage
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.open_designated_accounts();

CREATE FUNCTION tsetp.designated_account(facility_id bigint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT a.number FROM tsetp.account a WHERE a.facility_id = $1);
COMMENT ON FUNCTION tsetp.designated_account(bigint) IS
    'Number of the facility''s designated account; NULL while the facility is not covered (the account opens when energy_use makes it covered)';

CREATE FUNCTION tsetp.open_account(programme text, holder text) RETURNS text
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO tsetp.account (programme, account_type, holder)
    VALUES ($1, 'general', $2)
    RETURNING number;
END;
COMMENT ON FUNCTION tsetp.open_account(text, text) IS
    'Opens a general account (一般管理口座) of the programme for the holder and returns its number';

-- ---------------------------------------------------------------------------
-- Holdings: every serial ever issued, exactly once
-- ---------------------------------------------------------------------------

CREATE TABLE tsetp.holding (
    block        tsetp.credit NOT NULL,
    account      text NOT NULL REFERENCES tsetp.account ON UPDATE CASCADE,
    state        text NOT NULL CHECK (state IN ('free', 'reserved', 'surrendered', 'retired', 'cancelled')),
    tx           bigint NOT NULL,
    kind         text GENERATED ALWAYS AS (tsetp.kind(block)) STORED,
    vintage      tsetp.fiscal_year GENERATED ALWAYS AS (tsetp.vintage(block)) STORED,
    first_serial bigint GENERATED ALWAYS AS (tsetp.first_serial(block)) STORED PRIMARY KEY,
    tonnes       bigint GENERATED ALWAYS AS (tsetp.tonnes(block)) STORED,
    CONSTRAINT holding_serials_once EXCLUDE USING gist (block WITH OPERATOR(tsetp.&&))
);
COMMENT ON TABLE tsetp.holding IS
    'Every credit serial ever issued, in blocks, exactly once (exclusion constraint): free or reserved in an account, or surrendered, retired or cancelled there. Written only by the ledger''s triggers';
COMMENT ON COLUMN tsetp.holding.state IS
    'free; reserved (to the pending transaction tx); surrendered, retired or cancelled (by transaction tx, for good unless corrected)';
COMMENT ON COLUMN tsetp.holding.tx IS 'The ledger transaction that last moved, reserved or used the block';
COMMENT ON CONSTRAINT holding_serials_once ON tsetp.holding IS 'No tonne is ever held twice';
CREATE INDEX holding_free ON tsetp.holding (account, kind, vintage, first_serial) WHERE state = 'free';
CREATE INDEX holding_tx ON tsetp.holding (tx);

CREATE TABLE tsetp.serial_counter (
    only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    next_serial  bigint NOT NULL CHECK (next_serial > 0)
);
COMMENT ON TABLE tsetp.serial_counter IS 'Next free serial number of the registry (serials are unique across all programmes and kinds)';
INSERT INTO tsetp.serial_counter VALUES (true, 1);

-- ---------------------------------------------------------------------------
-- Guards: rows that competing writers of a rule UPDATE
-- ---------------------------------------------------------------------------
--
-- A rule that reads more than the row it writes (a balance, the commitment
-- reserve, a surrender cap, an account that is being closed) holds across
-- sessions only if two transactions that could together break it write one
-- row in common. Each such rule therefore UPDATEs a guard row before it
-- reads: under READ COMMITTED the second writer waits for the first and,
-- since each statement of the checks takes a new snapshot, then reads what
-- the first committed; under REPEATABLE READ and SERIALIZABLE the second
-- writer's UPDATE of a row that the first changed after the second's
-- snapshot fails with a clean serialization failure (40001), which the
-- client retries. The guard rows are created on first use (INSERT ... ON
-- CONFLICT DO UPDATE, which behaves the same way), hold no business data
-- (they are not dumped) and are granted to no one, so that no client can
-- lock them: only the registry's own triggers, running as the extension's
-- owner, write them. (Advisory locks, which any login can take on any key,
-- are not used anywhere.)
--
-- An account has two guard rows: units leaving it update its 'out' row
-- (their checks read its free units and reserve), units entering it its
-- 'in' row (their checks read only its status), and a change of its status
-- or reserve updates both. So a transfer out waits for another transfer out
-- and for a closing, but never for units coming in: a transaction of
-- another holder's that moved units into an account and stays open does not
-- hold up the account's own requests.
CREATE TABLE tsetp.account_guard (
    account  text NOT NULL,
    side     text NOT NULL CHECK (side IN ('in', 'out')),
    touches  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (account, side)
);
COMMENT ON TABLE tsetp.account_guard IS
    'Internal: two rows per account, ''out'' updated by every movement out of it, ''in'' by every movement into it, both by a change of its status or reserve, so that concurrent checks of its balance, reserve and status see each other or fail with 40001; granted to no one';

CREATE TABLE tsetp.surrender_guard (
    facility_id bigint NOT NULL,
    period_no   int NOT NULL,
    kind        text NOT NULL,
    touches     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (facility_id, period_no, kind)
);
COMMENT ON TABLE tsetp.surrender_guard IS
    'Internal: one row per facility, period and capped credit kind, updated by every surrender request of the kind, so that concurrent checks of its cap (check 4004) see each other or fail with 40001; granted to no one';

CREATE TABLE tsetp.issuance_guard (
    programme text PRIMARY KEY
);
COMMENT ON TABLE tsetp.issuance_guard IS
    'Internal: one row per programme, locked FOR UPDATE by issuers of its excess reduction and FOR SHARE by changes of what that rests on (tsetp.excess_guard_lock); granted to no one';

-- Updates both guard rows of the given accounts (NULLs ignored), for a
-- change of their status or reserve; in (account, side) order, as every
-- guard is taken, so that two writers cannot deadlock on them.
CREATE FUNCTION tsetp.account_guard_touch(accounts text[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO tsetp.account_guard AS g (account, side)
    SELECT DISTINCT a.account, s.side FROM pg_catalog.unnest($1) AS a(account), (VALUES ('in'), ('out')) AS s(side)
     WHERE a.account IS NOT NULL
     ORDER BY a.account, s.side
    ON CONFLICT (account, side) DO UPDATE SET touches = g.touches + 1;
END
$$;
COMMENT ON FUNCTION tsetp.account_guard_touch(text[]) IS
    'Internal: updates both guard rows of the accounts (tsetp.account_guard) before a change of their status or reserve';
REVOKE EXECUTE ON FUNCTION tsetp.account_guard_touch(text[]) FROM PUBLIC;

-- Updates the guard rows of a movement: the sending account's 'out' row and
-- the receiving account's 'in' row (either may be NULL), in (account, side)
-- order.
CREATE FUNCTION tsetp.account_guard_move(from_account text, to_account text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO tsetp.account_guard AS g (account, side)
    SELECT DISTINCT v.account, v.side FROM (VALUES ($1, 'out'), ($2, 'in')) AS v(account, side)
     WHERE v.account IS NOT NULL
     ORDER BY v.account, v.side
    ON CONFLICT (account, side) DO UPDATE SET touches = g.touches + 1;
END
$$;
COMMENT ON FUNCTION tsetp.account_guard_move(text, text) IS
    'Internal: updates the guard rows of a movement (tsetp.account_guard: the sender''s out, the receiver''s in) before its checks read the accounts';
REVOKE EXECUTE ON FUNCTION tsetp.account_guard_move(text, text) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The ledger
-- ---------------------------------------------------------------------------

CREATE TABLE tsetp.ledger (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type           text NOT NULL CHECK (type IN ('issue', 'transfer', 'surrender', 'retire', 'cancel', 'correction')),
    from_account   text REFERENCES tsetp.account ON UPDATE CASCADE,
    to_account     text REFERENCES tsetp.account ON UPDATE CASCADE,
    kind           text,
    amount         tsetp.tco2,
    block          tsetp.credit,
    vintage        tsetp.fiscal_year,
    source         text,
    facility_id    bigint REFERENCES tsetp.facility,
    period_no      int,
    corrects       bigint REFERENCES tsetp.ledger,
    note           text,
    programme      text NOT NULL,
    blocks         tsetp.credit[] NOT NULL,
    needs_approval boolean NOT NULL,
    requested_by   name NOT NULL,
    requested_at   timestamptz NOT NULL,
    requested_by_login name NOT NULL,
    CHECK ((type = 'correction') = (corrects IS NOT NULL)),
    CHECK ((type = 'surrender') = (facility_id IS NOT NULL AND period_no IS NOT NULL))
);
COMMENT ON TABLE tsetp.ledger IS
    'The registry''s transactions (振替など), append-only: INSERT a request (issue, transfer, surrender, retire, cancel, correction) and the triggers check and apply it; UPDATE, DELETE and TRUNCATE are refused for every role';
COMMENT ON COLUMN tsetp.ledger.type IS 'issue, transfer, surrender (apply to a facility''s target), retire, cancel, correction (reverses the transaction in corrects)';
COMMENT ON COLUMN tsetp.ledger.kind IS 'Credit kind to move (with amount: blocks chosen oldest vintage first, the last one split)';
COMMENT ON COLUMN tsetp.ledger.amount IS 'Whole tonnes to move or issue';
COMMENT ON COLUMN tsetp.ledger.block IS 'The exact serials to move (instead of kind and amount); for an issue, the serials allocated (or given, to import existing credits)';
COMMENT ON COLUMN tsetp.ledger.vintage IS 'Issue: vintage of the new credits';
COMMENT ON COLUMN tsetp.ledger.source IS 'Issue: facility code or project the credits come from';
COMMENT ON COLUMN tsetp.ledger.corrects IS 'Correction: the transaction it reverses (once only; JVETS correction flag)';
COMMENT ON COLUMN tsetp.ledger.programme IS 'Set by the registry: programme of the accounts';
COMMENT ON COLUMN tsetp.ledger.blocks IS 'Set by the registry: the serial blocks the transaction moved or reserved';
COMMENT ON COLUMN tsetp.ledger.needs_approval IS 'Set by the registry: the transaction waits for tsetp.approve';
COMMENT ON COLUMN tsetp.ledger.requested_by IS 'Set by the registry: the role that inserted the row';
COMMENT ON COLUMN tsetp.ledger.requested_at IS 'Set by the registry: tsetp.clock() at the request';
COMMENT ON COLUMN tsetp.ledger.requested_by_login IS 'Set by the registry: the login (session user) that requested, whatever role it acted as; four-eyes compares it with the approver''s';
CREATE UNIQUE INDEX ledger_corrected_once ON tsetp.ledger (corrects) WHERE corrects IS NOT NULL;
CREATE INDEX ledger_from ON tsetp.ledger (from_account);
CREATE INDEX ledger_to ON tsetp.ledger (to_account);
CREATE INDEX ledger_surrender ON tsetp.ledger (facility_id, period_no) WHERE facility_id IS NOT NULL;
CREATE INDEX ledger_issue_source ON tsetp.ledger (source, kind) WHERE type = 'issue';

CREATE TABLE tsetp.approval (
    transaction_id bigint PRIMARY KEY REFERENCES tsetp.ledger,
    decision       text NOT NULL CHECK (decision IN ('approved', 'rejected', 'withdrawn')),
    reason         text,
    decided_by     name NOT NULL,
    decided_at     timestamptz NOT NULL,
    decided_by_login name NOT NULL
);
COMMENT ON TABLE tsetp.approval IS
    'Decisions on transactions that wait for approval, append-only: approved (by a tsetp_admin, a login other than the requester''s), rejected (by a tsetp_admin) or withdrawn (by the requester''s login or a tsetp_admin)';
COMMENT ON COLUMN tsetp.approval.decided_by_login IS 'Set by the registry: the login (session user) that decided, whatever role it acted as';

-- Excess reduction that stands: issues of a programme's kind of excess
-- reduction, of its own origin, not reversed (issues never wait for
-- approval), with the plan period of their vintage. What is left to issue
-- and what the inputs' checks protect are read from here.
CREATE VIEW tsetp.standing_excess AS
SELECT l.id, l.programme, l.source, l.kind, l.vintage, pp.period_no, l.amount
  FROM tsetp.ledger l
  JOIN tsetp.programme p ON p.code = l.programme
  JOIN tsetp.credit_kind k ON k.programme = l.programme AND k.code = l.kind AND k.excess_reduction
  LEFT JOIN tsetp.plan_period pp ON pp.programme = l.programme AND pp.years OPERATOR(tsetp.@>) l.vintage
 WHERE l.type = 'issue' AND tsetp.origin(l.block) = p.credit_origin
   AND NOT EXISTS (SELECT 1 FROM tsetp.ledger c WHERE c.corrects = l.id);
COMMENT ON VIEW tsetp.standing_excess IS
    'Issued excess reduction that stands (own origin, not reversed), with the plan period of its vintage: source is the facility code it was issued from';

-- Transaction life, derived from the append-only rows.
CREATE VIEW tsetp.transaction_status AS
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
COMMENT ON VIEW tsetp.transaction_status IS
    'Status of each ledger transaction (requested, completed, rejected, cancelled, reversed), when it took effect, and the correction that reversed it';

-- Stamps the requester (role and login) and the registry's time on a new
-- ledger or approval row (runs as the invoker, so it sees who is asking).
CREATE FUNCTION tsetp.registry_stamp() RETURNS trigger
    AS 'MODULE_PATHNAME', 'registry_stamp'
    LANGUAGE C;
COMMENT ON FUNCTION tsetp.registry_stamp() IS
    'Trigger: records the role that inserts a ledger or approval row, its login (session user) and the registry''s time, whatever the client wrote there';

-- Refuses UPDATE, DELETE and TRUNCATE of the append-only tables.
CREATE FUNCTION tsetp.registry_append_only() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM tsetp.registry_refuse(5011, pg_catalog.format('%s is refused on %s: it is append-only', TG_OP, TG_TABLE_NAME),
        'Recorded transactions and decisions are never changed or removed.',
        'Reverse a completed transaction with a correction (tsetp.correct); withdraw or reject a pending one.');
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.registry_append_only() IS 'Trigger: refuses UPDATE, DELETE and TRUNCATE on the ledger and the approvals';

CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON tsetp.ledger
    FOR EACH ROW EXECUTE FUNCTION tsetp.registry_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON tsetp.ledger
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.registry_append_only();
CREATE TRIGGER approval_append_only BEFORE UPDATE OR DELETE ON tsetp.approval
    FOR EACH ROW EXECUTE FUNCTION tsetp.registry_append_only();
CREATE TRIGGER approval_no_truncate BEFORE TRUNCATE ON tsetp.approval
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.registry_append_only();
CREATE TRIGGER a_stamp BEFORE INSERT ON tsetp.ledger
    FOR EACH ROW EXECUTE FUNCTION tsetp.registry_stamp();
CREATE TRIGGER a_stamp BEFORE INSERT ON tsetp.approval
    FOR EACH ROW EXECUTE FUNCTION tsetp.registry_stamp();

-- Plan period of the programme that a fiscal year falls in; NULL outside.
CREATE FUNCTION tsetp.vintage_period(programme text, fy tsetp.fiscal_year) RETURNS int
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT p.period_no FROM tsetp.plan_period p
             WHERE p.programme = $1 AND p.years OPERATOR(tsetp.@>) $2);
END
$$;
COMMENT ON FUNCTION tsetp.vintage_period(text, tsetp.fiscal_year) IS
    'Plan period of the programme that a credit''s vintage falls in; NULL outside every period';

-- Whether the programme's registry is open for business hours at a time.
CREATE FUNCTION tsetp.in_business_hours(programme text, at timestamptz) RETURNS boolean
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT COALESCE(pg_catalog.bool_and(
                   (l.t)::time >= b.opens AND (l.t)::time < b.closes
                   AND pg_catalog.date_part('isodow', l.t)::int = ANY (b.weekdays)
                   AND NOT EXISTS (SELECT 1 FROM tsetp.registry_holiday h
                                    WHERE h.programme = b.programme AND h.day = (l.t)::date)), true)
              FROM tsetp.business_hours b
              JOIN tsetp.programme p ON p.code = b.programme
             CROSS JOIN LATERAL (SELECT $2 AT TIME ZONE p.timezone) AS l(t)
             WHERE b.programme = $1);
END
$$;
COMMENT ON FUNCTION tsetp.in_business_hours(text, timestamptz) IS
    'Whether the programme''s registry is within business hours at the time (always true when it has no business_hours row)';

-- The first serial from first_s on of a run of n serials that no holding
-- uses (imported blocks keep their serials; fresh ones go past them).
CREATE FUNCTION tsetp.free_serials(first_s bigint, n bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    top bigint;
BEGIN
    LOOP
        SELECT pg_catalog.max(tsetp.last_serial(x.block)) INTO top
          FROM tsetp.holding x
         WHERE x.block OPERATOR(tsetp.&&) tsetp.credit('X', 'X', 'FY2000', 'X', first_s, first_s + n - 1);
        EXIT WHEN top IS NULL;
        first_s := top + 1;
    END LOOP;
    RETURN first_s;
END
$$;
COMMENT ON FUNCTION tsetp.free_serials(bigint, bigint) IS
    'Internal: the first serial from first_s on of a run of n serials that no holding uses (fresh serials go past imported blocks)';
REVOKE EXECUTE ON FUNCTION tsetp.free_serials(bigint, bigint) FROM PUBLIC;

-- The checks and effects of every ledger row. Runs as the extension's owner
-- so that it can write holdings that no client may write. Called by the
-- trigger function tsetp.ledger_apply() (C, extension/registry.c) for every
-- request that its fast path does not apply itself.
CREATE FUNCTION tsetp.ledger_rules() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src         tsetp.account;
    dst         tsetp.account;
    prog        tsetp.programme;
    rule        tsetp.transaction_rule;
    ck          tsetp.credit_kind;
    fac         tsetp.facility;
    pp          tsetp.plan_period;
    target      tsetp.ledger;
    h           record;
    piece       tsetp.credit;
    want        bigint;
    got         bigint := 0;
    skipped     bigint := 0;
    skip_code   int;
    skip_detail text;
    lo          bigint;
    hi          bigint;
    first_s     bigint;
    vp          int;
    last_vint   int;
    last_ok     int;
    new_state   text;
    new_account text;
    taken       tsetp.credit[] := '{}'::tsetp.credit[];
    er          record;
    issued      numeric;
BEGIN
    -- Amount: positive whole tonnes (credits are whole tonnes).
    IF NEW.amount IS NOT NULL THEN
        IF NEW.amount::numeric <= 0 OR NEW.amount::numeric <> pg_catalog.trunc(NEW.amount::numeric) THEN
            PERFORM tsetp.registry_refuse(3007, pg_catalog.format('amount %s is not a positive number of whole tonnes', NEW.amount),
                'Credits are whole tonnes, each with its own serial number.',
                'Give a positive whole number of tonnes.');
        END IF;
        want := NEW.amount::numeric;
    END IF;
    NEW.blocks := '{}';

    -- Who may ask: a tsetp_admin anything; anyone else (an operator or a
    -- broker) only transfers, surrenders and retirements from the accounts
    -- of holders it acts for. Row-level security says the same after this
    -- trigger; checking first keeps other holders' balances out of errors.
    IF NOT pg_catalog.pg_has_role(NEW.requested_by, 'tsetp_admin', 'MEMBER')
       AND (NEW.type NOT IN ('transfer', 'surrender', 'retire')
            OR NOT EXISTS (SELECT 1 FROM tsetp.account a
                             JOIN tsetp.holder_member m ON m.holder = a.holder
                            WHERE a.number = NEW.from_account
                              AND tsetp.acts_as(NEW.requested_by, m.member))) THEN
        RAISE EXCEPTION 'permission denied for % request%', NEW.type,
                        CASE WHEN NEW.from_account IS NOT NULL THEN ' from account ' || NEW.from_account ELSE '' END
            USING ERRCODE = '42501',
                  DETAIL = pg_catalog.format('Role %s is not a tsetp_admin, and only transfers, surrenders and retirements from the accounts of holders it acts for are open to it.', NEW.requested_by),
                  HINT = 'Operators request transfers, surrenders and retirements from their own accounts (tsetp.holder_member).';
    END IF;

    -- -----------------------------------------------------------------
    -- Correction: reverse a completed transaction, once.
    -- -----------------------------------------------------------------
    IF NEW.type = 'correction' THEN
        SELECT * INTO target FROM tsetp.ledger l WHERE l.id = NEW.corrects FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM tsetp.registry_refuse(5007, pg_catalog.format('transaction %s does not exist', NEW.corrects),
                'Only a completed transaction can be reversed.', 'Check the transaction id (tsetp.ledger_report).');
        END IF;
        IF target.type = 'correction' THEN
            PERFORM tsetp.registry_refuse(5008, pg_catalog.format('transaction %s is itself a correction', target.id),
                'A correction cannot be corrected.',
                'Record the intended movement as a new transaction.');
        END IF;
        IF target.needs_approval AND NOT EXISTS (SELECT 1 FROM tsetp.approval a
                                                  WHERE a.transaction_id = target.id AND a.decision = 'approved') THEN
            PERFORM tsetp.registry_refuse(5007, pg_catalog.format('transaction %s has not taken effect', target.id),
                'Only a completed transaction can be reversed.',
                'Withdraw (tsetp.withdraw) or reject (tsetp.reject) a transaction that waits for approval.');
        END IF;
        IF EXISTS (SELECT 1 FROM tsetp.ledger c WHERE c.corrects = target.id) THEN
            PERFORM tsetp.registry_refuse(5006, pg_catalog.format('transaction %s has already been reversed', target.id),
                pg_catalog.format('Transaction %s was reversed by transaction %s.', target.id,
                                  (SELECT c.id FROM tsetp.ledger c WHERE c.corrects = target.id)),
                'A transaction is reversed only once.');
        END IF;
        NEW.programme := target.programme;
        NEW.kind := target.kind;
        NEW.amount := target.amount;
        NEW.block := NULL;
        NEW.facility_id := NULL;
        NEW.period_no := NULL;
        NEW.needs_approval := false;
        NEW.from_account := CASE WHEN target.type IN ('issue', 'transfer') THEN target.to_account END;
        NEW.to_account := CASE WHEN target.type <> 'issue' THEN target.from_account END;
        -- The accounts' guards before anything of them is read.
        PERFORM tsetp.account_guard_move(NEW.from_account, NEW.to_account);
        -- Units leave and enter only open accounts, as in any transaction
        -- (lift a suspension first).
        SELECT * INTO src FROM tsetp.account a WHERE a.number = NEW.from_account;
        SELECT * INTO dst FROM tsetp.account a WHERE a.number = NEW.to_account;
        IF src.status = 'suspended' THEN
            PERFORM tsetp.registry_refuse(1002, pg_catalog.format('sending account %s is suspended', src.number),
                pg_catalog.format('Reversing transaction %s would move units out of account %s of %s, which is suspended.', target.id, src.number, src.holder),
                'Lift the suspension before the correction.');
        ELSIF src.status = 'closed' THEN
            PERFORM tsetp.registry_refuse(1003, pg_catalog.format('sending account %s is closed', src.number),
                pg_catalog.format('Reversing transaction %s would move units out of account %s of %s, which was closed.', target.id, src.number, src.holder),
                'A closed account holds nothing to give back.');
        END IF;
        IF dst.status = 'suspended' THEN
            PERFORM tsetp.registry_refuse(2003, pg_catalog.format('receiving account %s is suspended', dst.number),
                pg_catalog.format('Reversing transaction %s would move units into account %s of %s, which is suspended.', target.id, dst.number, dst.holder),
                'Lift the suspension before the correction.');
        ELSIF dst.status = 'closed' THEN
            PERFORM tsetp.registry_refuse(2004, pg_catalog.format('receiving account %s is closed', dst.number),
                pg_catalog.format('Reversing transaction %s would move units into account %s of %s, which was closed.', target.id, dst.number, dst.holder),
                'Transfer the units to the holder''s open account instead of reversing.');
        END IF;
        -- The serials must still be where the transaction left them, unused.
        FOR piece IN SELECT pg_catalog.unnest(target.blocks) LOOP
            SELECT COALESCE(pg_catalog.sum(x.tonnes), 0) INTO got
              FROM tsetp.holding x
             WHERE x.block OPERATOR(tsetp.&&) piece
               AND tsetp.serials(x.block) OPERATOR(pg_catalog.<@) tsetp.serials(piece)
               AND CASE target.type
                     WHEN 'issue' THEN x.account = target.to_account AND x.state = 'free'
                     WHEN 'transfer' THEN x.account = target.to_account AND x.state = 'free'
                     ELSE x.tx = target.id
                          AND x.state = CASE target.type WHEN 'surrender' THEN 'surrendered'
                                                         WHEN 'retire' THEN 'retired' ELSE 'cancelled' END
                   END;
            IF got <> tsetp.tonnes(piece) THEN
                PERFORM tsetp.registry_refuse(3009, pg_catalog.format('transaction %s cannot be reversed: its units have moved on', target.id),
                    pg_catalog.format('Only %s of the %s t of block %s are still free in account %s.',
                                      got, tsetp.tonnes(piece), piece, COALESCE(target.to_account, target.from_account)),
                    'Reverse the later transactions that moved these serials first.');
            END IF;
            UPDATE tsetp.holding x
               SET account = COALESCE(NEW.to_account, x.account),
                   state = CASE WHEN target.type = 'issue' THEN 'cancelled' ELSE 'free' END,
                   tx = NEW.id
             WHERE x.block OPERATOR(tsetp.&&) piece
               AND tsetp.serials(x.block) OPERATOR(pg_catalog.<@) tsetp.serials(piece)
               AND x.state <> 'reserved' AND (x.tx = target.id OR x.account = target.to_account);
        END LOOP;
        NEW.blocks := target.blocks;
        RETURN NEW;
    END IF;

    -- -----------------------------------------------------------------
    -- The accounts.
    -- -----------------------------------------------------------------
    -- Their guards first (tsetp.account_guard): a concurrent movement,
    -- closing or suspension of either account has then committed before the
    -- reads below (READ COMMITTED), or this request fails with 40001.
    PERFORM tsetp.account_guard_move(NEW.from_account, NEW.to_account);
    IF NEW.type = 'issue' THEN
        IF NEW.from_account IS NOT NULL THEN
            PERFORM tsetp.registry_refuse(1001, 'an issue has no sending account',
                'Issued credits are created by the registry.', 'Leave from_account empty.');
        END IF;
    ELSE
        SELECT * INTO src FROM tsetp.account a WHERE a.number = NEW.from_account;
        IF NOT FOUND THEN
            PERFORM tsetp.registry_refuse(1001, pg_catalog.format('sending account %s does not exist', COALESCE(NEW.from_account, '(none)')),
                pg_catalog.format('This %s needs an existing sending account.', NEW.type),
                'Check the account number (tsetp.account).');
        ELSIF src.status = 'suspended' THEN
            PERFORM tsetp.registry_refuse(1002, pg_catalog.format('sending account %s is suspended', src.number),
                pg_catalog.format('Account %s of %s is suspended: nothing can leave it.', src.number, src.holder),
                'Ask the registry administrator to lift the suspension.');
        ELSIF src.status = 'closed' THEN
            PERFORM tsetp.registry_refuse(1003, pg_catalog.format('sending account %s is closed', src.number),
                pg_catalog.format('Account %s of %s was closed.', src.number, src.holder),
                'Use an open account.');
        END IF;
        NEW.programme := src.programme;
    END IF;
    IF NEW.type IN ('issue', 'transfer') THEN
        SELECT * INTO dst FROM tsetp.account a WHERE a.number = NEW.to_account;
        -- Of another holder's account the sender learns only that it cannot
        -- receive: not whether it exists, is suspended or closed, or is of
        -- another programme, nor whose it is.
        IF (NOT FOUND OR dst.status <> 'open' OR dst.programme <> src.programme)
           AND NOT tsetp.role_sees_holder(NEW.requested_by, dst.holder) THEN
            PERFORM tsetp.registry_refuse(2001, pg_catalog.format('receiving account %s does not exist or cannot receive units', COALESCE(NEW.to_account, '(none)')),
                pg_catalog.format('This %s needs an existing, open receiving account of programme %s.', NEW.type, src.programme),
                'Check the account number with its holder.');
        ELSIF NOT FOUND THEN
            PERFORM tsetp.registry_refuse(2001, pg_catalog.format('receiving account %s does not exist', COALESCE(NEW.to_account, '(none)')),
                pg_catalog.format('This %s needs an existing receiving account.', NEW.type),
                'Check the account number (tsetp.account).');
        ELSIF dst.number = src.number THEN
            PERFORM tsetp.registry_refuse(2002, pg_catalog.format('account %s cannot transfer to itself', src.number),
                'The sending and the receiving account are the same.',
                'Give a different receiving account.');
        ELSIF dst.status = 'suspended' THEN
            PERFORM tsetp.registry_refuse(2003, pg_catalog.format('receiving account %s is suspended', dst.number),
                pg_catalog.format('Account %s of %s is suspended: nothing can enter it.', dst.number, dst.holder),
                'Ask the registry administrator to lift the suspension, or use another account.');
        ELSIF dst.status = 'closed' THEN
            PERFORM tsetp.registry_refuse(2004, pg_catalog.format('receiving account %s is closed', dst.number),
                pg_catalog.format('Account %s of %s was closed.', dst.number, dst.holder),
                'Use an open account.');
        ELSIF NEW.type = 'transfer' AND dst.programme <> src.programme THEN
            PERFORM tsetp.registry_refuse(2005, pg_catalog.format('account %s is in programme %s, not %s', dst.number, dst.programme, src.programme),
                'Transfers stay within one programme''s registry.',
                'Linked credits cross programmes by cancellation in one registry and issuance in the other.');
        END IF;
        NEW.programme := dst.programme;
    ELSIF NEW.to_account IS NOT NULL THEN
        PERFORM tsetp.registry_refuse(2001, pg_catalog.format('a %s has no receiving account', NEW.type),
            pg_catalog.format('Units that are %s stay where they are.',
                              CASE NEW.type WHEN 'surrender' THEN 'surrendered' WHEN 'retire' THEN 'retired' ELSE 'cancelled' END),
            'Leave to_account empty.');
    END IF;

    -- -----------------------------------------------------------------
    -- The programme's rules for this type of transaction.
    -- -----------------------------------------------------------------
    SELECT * INTO prog FROM tsetp.programme p WHERE p.code = NEW.programme;
    SELECT * INTO rule FROM tsetp.transaction_rule r WHERE r.programme = NEW.programme AND r.type = NEW.type;
    IF NOT FOUND THEN
        PERFORM tsetp.registry_refuse(5005, pg_catalog.format('programme %s does not offer %s transactions', NEW.programme, NEW.type),
            pg_catalog.format('tsetp.transaction_rule has no row for %s and %s.', NEW.programme, NEW.type),
            'Use a transaction type the programme offers.');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tsetp.account_route r
                    WHERE r.programme = NEW.programme AND r.type = NEW.type
                      AND r.from_type = COALESCE(src.account_type, 'none')
                      AND r.to_type = COALESCE(dst.account_type, 'none')) THEN
        PERFORM tsetp.registry_refuse(2006, pg_catalog.format('programme %s does not allow a %s from %s to %s accounts', NEW.programme, NEW.type,
                                                        COALESCE(src.account_type, 'no'), COALESCE(dst.account_type, 'no')),
            pg_catalog.format('tsetp.account_route has no row for this %s.', NEW.type),
            'Use an account of a type the programme allows.');
    END IF;
    IF rule.business_hours AND NOT tsetp.in_business_hours(NEW.programme, NEW.requested_at) THEN
        PERFORM tsetp.registry_refuse(5004, pg_catalog.format('%s requests are accepted only in business hours', NEW.type),
            pg_catalog.format('It is %s in %s; the %s registry accepts them %s.',
                              pg_catalog.to_char(NEW.requested_at AT TIME ZONE prog.timezone, 'Dy YYYY-MM-DD HH24:MI'), prog.timezone, NEW.programme,
                              (SELECT pg_catalog.format('%s-%s on ISO weekdays %s except registry holidays',
                                                                 pg_catalog.to_char(b.opens, 'HH24:MI'), pg_catalog.to_char(b.closes, 'HH24:MI'),
                                                                 pg_catalog.array_to_string(b.weekdays, ','))
                                 FROM tsetp.business_hours b WHERE b.programme = NEW.programme)),
            'Send the request again within business hours.');
    END IF;
    NEW.needs_approval := rule.needs_approval;

    -- The kind, and the block if one was given.
    IF NEW.block IS NOT NULL THEN
        IF NEW.kind IS NOT NULL AND NEW.kind <> tsetp.kind(NEW.block)
           OR NEW.amount IS NOT NULL AND want <> tsetp.tonnes(NEW.block) THEN
            PERFORM tsetp.registry_refuse(3008, pg_catalog.format('block %s is not %s', NEW.block,
                                                             CASE WHEN NEW.kind <> tsetp.kind(NEW.block) THEN 'of kind ' || NEW.kind
                                                                  ELSE NEW.amount::text || ' t' END),
                'Give either a block, or a kind and an amount.', 'Leave kind and amount empty when you give a block.');
        END IF;
        NEW.kind := tsetp.kind(NEW.block);
        want := tsetp.tonnes(NEW.block);
        NEW.amount := want::tsetp.tco2;
    ELSIF NEW.kind IS NULL OR want IS NULL THEN
        PERFORM tsetp.registry_refuse(3008, pg_catalog.format('a %s needs a block, or a kind and an amount', NEW.type),
            'The request does not say which units.', 'Give a block, or a kind and an amount.');
    END IF;
    -- An issue holds its kind's row, so that the kind is not re-marked as
    -- or from excess reduction before the issue commits (the marking is
    -- checked against the ledger, tsetp.credit_kind_check).
    IF NEW.type = 'issue' THEN
        SELECT * INTO ck FROM tsetp.credit_kind k WHERE k.programme = NEW.programme AND k.code = NEW.kind FOR SHARE;
    ELSE
        SELECT * INTO ck FROM tsetp.credit_kind k WHERE k.programme = NEW.programme AND k.code = NEW.kind;
    END IF;
    IF NOT FOUND THEN
        PERFORM tsetp.registry_refuse(3001, pg_catalog.format('programme %s has no credit kind %s', NEW.programme, NEW.kind),
            pg_catalog.format('Kinds of %s: %s.', NEW.programme,
                              (SELECT pg_catalog.string_agg(k.code, ', ' ORDER BY k.code) FROM tsetp.credit_kind k WHERE k.programme = NEW.programme)),
            'Use one of the programme''s credit kinds (tsetp.credit_kind).');
    END IF;

    -- -----------------------------------------------------------------
    -- Issue: allocate fresh serials (or import a given block).
    -- -----------------------------------------------------------------
    IF NEW.type = 'issue' THEN
        IF NEW.block IS NOT NULL THEN
            NEW.vintage := tsetp.vintage(NEW.block);
            NEW.source := tsetp.source(NEW.block);
        ELSIF NEW.vintage IS NULL OR NEW.source IS NULL THEN
            PERFORM tsetp.registry_refuse(3008, 'an issue needs a vintage and a source',
                'New credits carry the fiscal year and the facility or project they come from.',
                'Give vintage and source.');
        END IF;
        IF ck.excess_reduction THEN
            vp := tsetp.vintage_period(NEW.programme, NEW.vintage);
            IF vp IS NULL OR NEW.vintage::int - tsetp.lower((SELECT p.years FROM tsetp.plan_period p
                                                              WHERE p.programme = NEW.programme AND p.period_no = vp))::int + 1
                             < COALESCE(prog.excess_from_year, 1) THEN
                PERFORM tsetp.registry_refuse(3003, pg_catalog.format('excess reduction of vintage %s cannot be issued', NEW.vintage),
                    pg_catalog.format('Programme %s issues excess reduction only from year %s of a plan period on.', NEW.programme, prog.excess_from_year),
                    'Use tsetp.issue_excess, which issues for the verified years of the period.');
            END IF;
            -- Excess reduction exists only as this registry's engine computes
            -- it, however it is asked for (tsetp.issue_excess, tsetp.issue, an
            -- INSERT): of the programme's own origin (a linked registry's
            -- credits have their own kind), into the source facility's
            -- designated account, with the vintage of its latest verified
            -- year, and no more than the excess of the period's verified years
            -- minus what was issued already.
            IF NEW.block IS NOT NULL AND tsetp.origin(NEW.block) <> prog.credit_origin THEN
                PERFORM tsetp.registry_refuse(3011, pg_catalog.format('%s credits of origin %s cannot be issued in programme %s', NEW.kind, tsetp.origin(NEW.block), NEW.programme),
                    pg_catalog.format('Kind %s is the excess reduction this registry computes and issues itself (origin %s).', NEW.kind, prog.credit_origin),
                    'Issue a linked registry''s credits under their own kind (tsetp.credit_kind).');
            END IF;
            PERFORM tsetp.excess_guard_lock(NEW.programme, true);
            SELECT * INTO fac FROM tsetp.facility f WHERE f.programme = NEW.programme AND f.code = NEW.source;
            SELECT * INTO er FROM tsetp.facility_period_reduction x WHERE x.facility_id = fac.id AND x.period_no = vp;
            IF er.facility_id IS NULL THEN
                PERFORM tsetp.registry_refuse(4006, pg_catalog.format('%s of programme %s has no target for period %s', NEW.source, NEW.programme, vp),
                    pg_catalog.format('Excess reduction of vintage %s comes from a facility of %s covered in period %s; %s is not one.',
                                      NEW.vintage, NEW.programme, vp, NEW.source),
                    'Give the code of the facility whose reduction it is as source.');
            END IF;
            IF dst.facility_id IS DISTINCT FROM fac.id THEN
                PERFORM tsetp.registry_refuse(4010, pg_catalog.format('excess reduction of %s can only be issued to its designated account', fac.code),
                    pg_catalog.format('Account %s is not the designated account of facility %s.', dst.number, fac.code),
                    pg_catalog.format('Issue into %s; the facility may then transfer it.', tsetp.designated_account(fac.id)));
            END IF;
            -- The latest verified year: the verified emissions of every year
            -- up to it are then fixed while the issue stands (check 4013).
            IF er.last_verified_year IS NULL OR NEW.vintage OPERATOR(tsetp.<>) er.last_verified_year THEN
                PERFORM tsetp.registry_refuse(4011, pg_catalog.format('excess reduction of %s of vintage %s cannot be issued: its latest verified year is %s',
                                                                 fac.code, NEW.vintage, COALESCE(er.last_verified_year::text, 'none')),
                    pg_catalog.format('Excess reduction of period %s is issued for the verified years so far, with the vintage of the latest one.', vp),
                    'Use tsetp.issue_excess, which issues for the latest verified year.');
            END IF;
            SELECT COALESCE(pg_catalog.sum(s.amount::numeric), 0) INTO issued
              FROM tsetp.standing_excess s
             WHERE s.programme = NEW.programme AND s.source = fac.code AND s.period_no = vp;
            IF want > pg_catalog.floor(tsetp.issuable_excess(COALESCE(er.excess, '0'::tsetp.tco2), issued::tsetp.tco2)::numeric) THEN
                PERFORM tsetp.registry_refuse(4012, pg_catalog.format('%s t of excess reduction exceed what facility %s has left for period %s', want, fac.code, vp),
                    pg_catalog.format('Excess reduction of the verified years is %s t; %s t have been issued already.',
                                      COALESCE(er.excess, '0'::tsetp.tco2), issued),
                    'Issue with tsetp.issue_excess, which issues what is left in whole tonnes.');
            END IF;
        END IF;
        IF ck.own_facility_only AND (dst.facility_id IS NULL OR NEW.source IS DISTINCT FROM
                                     (SELECT f.code FROM tsetp.facility f WHERE f.id = dst.facility_id)) THEN
            PERFORM tsetp.registry_refuse(3010, pg_catalog.format('%s credits from %s can only be issued to that facility''s designated account', NEW.kind, NEW.source),
                pg_catalog.format('Kind %s counts only for the facility that made it; account %s is not its designated account.', NEW.kind, dst.number),
                'Issue into the designated account of the source facility.');
        END IF;
        -- The serial space is shared by every programme and kind: no one
        -- issue may take more of it than the programme's bound on a
        -- facility-year (max_tonnes), and an import (a given block, with
        -- another registry's serials) takes only its own serials: the
        -- counter does not jump past it; fresh serials skip the blocks in
        -- their way instead. Both hold the counter's row, so that an
        -- allocation sees every import committed before it.
        IF want > prog.max_tonnes::numeric THEN
            PERFORM tsetp.registry_refuse(3013, pg_catalog.format('an issue of %s t exceeds the bound of programme %s', want, NEW.programme),
                pg_catalog.format('Programme %s issues at most %s t in one transaction (max_tonnes).', NEW.programme, prog.max_tonnes),
                'Issue in several transactions, or check the amount.');
        END IF;
        IF NEW.block IS NULL THEN
            SELECT c.next_serial INTO first_s FROM tsetp.serial_counter c FOR UPDATE;
            first_s := tsetp.free_serials(first_s, want);
            UPDATE tsetp.serial_counter SET next_serial = first_s + want;
            NEW.block := tsetp.credit(prog.credit_origin, NEW.kind, NEW.vintage, NEW.source, first_s, first_s + want - 1);
        ELSE
            UPDATE tsetp.serial_counter SET next_serial = next_serial;
        END IF;
        INSERT INTO tsetp.holding (block, account, state, tx) VALUES (NEW.block, dst.number, 'free', NEW.id);
        NEW.blocks := ARRAY[NEW.block];
        NEW.needs_approval := false;
        RETURN NEW;
    END IF;

    -- -----------------------------------------------------------------
    -- Transfer, surrender, retire, cancel: rules on the units.
    -- -----------------------------------------------------------------
    IF NEW.type = 'transfer' AND NOT ck.transferable THEN
        PERFORM tsetp.registry_refuse(3002, pg_catalog.format('%s credits cannot be transferred', NEW.kind),
            pg_catalog.format('Kind %s (%s) stays in the account it was issued to.', NEW.kind, ck.name),
            'Surrender it for the facility that made it.');
    END IF;
    IF NEW.type = 'surrender' THEN
        SELECT * INTO fac FROM tsetp.facility f WHERE f.id = NEW.facility_id;
        -- For a facility of another operator (or none) the requester
        -- learns nothing about it: not its code, programme, coverage or
        -- designated account.
        IF NOT tsetp.role_sees_holder(NEW.requested_by, fac.operator) THEN
            PERFORM tsetp.registry_refuse(1006, pg_catalog.format('account %s cannot surrender for facility %s', src.number, NEW.facility_id),
                'Credits are surrendered for a facility whose operator you act for, from its designated account.',
                'Check the facility id (tsetp.facility).');
        END IF;
        SELECT * INTO pp FROM tsetp.plan_period p WHERE p.programme = fac.programme AND p.period_no = NEW.period_no;
        IF fac.programme <> NEW.programme OR pp.programme IS NULL
           OR tsetp.coverage_start(fac.id) IS NULL
           OR tsetp.coverage_start(fac.id) OPERATOR(tsetp.>) tsetp.upper(pp.years) THEN
            PERFORM tsetp.registry_refuse(4006, pg_catalog.format('facility %s has no target for period %s', fac.code, NEW.period_no),
                pg_catalog.format('Facility %s of %s is not covered in period %s of programme %s.', fac.code, fac.programme, NEW.period_no, NEW.programme),
                'Surrender for a period in which the facility is covered.');
        END IF;
        IF (NEW.requested_at AT TIME ZONE prog.timezone)::date > pp.deadline THEN
            PERFORM tsetp.registry_refuse(4005, pg_catalog.format('the deadline for period %s has passed', NEW.period_no),
                pg_catalog.format('Credits for period %s (%s) could be surrendered until %s.', NEW.period_no, pp.years, pp.deadline),
                'Surrender for the current period.');
        END IF;
        IF (src.account_type = 'designated' AND src.facility_id <> fac.id)
           OR (src.account_type <> 'designated' AND src.holder <> fac.operator) THEN
            PERFORM tsetp.registry_refuse(1006, pg_catalog.format('account %s cannot surrender for facility %s', src.number, fac.code),
                pg_catalog.format('Credits are surrendered from the facility''s own designated account; %s is held by %s.', src.number, src.holder),
                pg_catalog.format('Transfer the credits to %s first.', tsetp.designated_account(fac.id)));
        END IF;
    END IF;
    -- The sending account's guard is held (above): its balance for the
    -- reserve, then its blocks.
    IF NEW.type = 'transfer' AND src.commitment_reserve OPERATOR(tsetp.>) '0'::tsetp.tco2 THEN
        SELECT COALESCE(pg_catalog.sum(x.tonnes), 0) INTO got FROM tsetp.holding x
         WHERE x.account = src.number AND x.state = 'free';
        IF got - want < src.commitment_reserve::numeric THEN
            PERFORM tsetp.registry_refuse(1005, pg_catalog.format('transfer would bring account %s below its commitment reserve', src.number),
                pg_catalog.format('Account %s holds %s t free with a commitment reserve of %s t; %s t can be transferred.',
                                  src.number, got, src.commitment_reserve, GREATEST(got - src.commitment_reserve::numeric, 0)),
                'Transfer at most the units above the reserve.');
        END IF;
        got := 0;
    END IF;

    new_state := CASE WHEN NEW.needs_approval THEN 'reserved'
                      ELSE CASE NEW.type WHEN 'transfer' THEN 'free' WHEN 'surrender' THEN 'surrendered'
                                         WHEN 'retire' THEN 'retired' ELSE 'cancelled' END END;
    new_account := CASE WHEN NEW.type = 'transfer' AND NOT NEW.needs_approval THEN dst.number ELSE src.number END;

    IF NEW.block IS NOT NULL THEN
        -- The given serials: every holding they touch must be free in src.
        lo := tsetp.first_serial(NEW.block);
        hi := tsetp.last_serial(NEW.block);
        FOR h IN SELECT x.block, x.account, x.state, x.tx, x.first_serial
                   FROM tsetp.holding x
                  WHERE x.block OPERATOR(tsetp.&&) NEW.block
                  ORDER BY x.first_serial
                    FOR UPDATE LOOP
            IF h.account <> src.number OR NOT tsetp.same_line(h.block, NEW.block) THEN
                -- Whether the serials are held elsewhere, or by whom, is not
                -- the requester's business: the same wording as for serials
                -- that do not exist (below).
                PERFORM tsetp.registry_refuse(3004, pg_catalog.pg_has_role(NEW.requested_by, 'tsetp_admin', 'MEMBER'),
                    pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                    pg_catalog.format('Serials %s-%s of that line are not in account %s.',
                                      GREATEST(lo, tsetp.first_serial(h.block)), LEAST(hi, tsetp.last_serial(h.block)), src.number),
                    'Check the block with tsetp.balance or tsetp.holding.',
                    pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                    pg_catalog.format('Not every serial of the block is in account %s.', src.number),
                    'Check the block with tsetp.balance or tsetp.holding.');
            ELSIF h.state = 'reserved' THEN
                PERFORM tsetp.registry_refuse(3005, pg_catalog.format('block %s is reserved to pending transaction %s', h.block, h.tx),
                    pg_catalog.format('Serials of account %s wait for the approval of transaction %s.', src.number, h.tx),
                    'Wait for the decision on that transaction, or withdraw it (tsetp.withdraw).');
            ELSIF h.state <> 'free' THEN
                PERFORM tsetp.registry_refuse(3006, pg_catalog.format('block %s has been %s', h.block, h.state),
                    pg_catalog.format('Transaction %s %s these serials; they can no longer move.', h.tx,
                                      CASE h.state WHEN 'surrendered' THEN 'surrendered' WHEN 'retired' THEN 'retired' ELSE 'cancelled' END),
                    'Use other units.');
            END IF;
            piece := tsetp.credit(tsetp.origin(h.block), tsetp.kind(h.block), tsetp.vintage(h.block), tsetp.source(h.block),
                                  GREATEST(lo, tsetp.first_serial(h.block)), LEAST(hi, tsetp.last_serial(h.block)));
            UPDATE tsetp.holding x SET block = piece, account = new_account, state = new_state, tx = NEW.id
             WHERE x.first_serial = h.first_serial;
            IF tsetp.first_serial(h.block) < lo THEN
                INSERT INTO tsetp.holding (block, account, state, tx)
                VALUES (tsetp.credit(tsetp.origin(h.block), tsetp.kind(h.block), tsetp.vintage(h.block), tsetp.source(h.block),
                                     tsetp.first_serial(h.block), lo - 1), src.number, 'free', h.tx);
            END IF;
            IF tsetp.last_serial(h.block) > hi THEN
                INSERT INTO tsetp.holding (block, account, state, tx)
                VALUES (tsetp.credit(tsetp.origin(h.block), tsetp.kind(h.block), tsetp.vintage(h.block), tsetp.source(h.block),
                                     hi + 1, tsetp.last_serial(h.block)), src.number, 'free', h.tx);
            END IF;
            got := got + tsetp.tonnes(piece);
            taken := taken || piece;
        END LOOP;
        IF got < want THEN
            PERFORM tsetp.registry_refuse(3004, pg_catalog.pg_has_role(NEW.requested_by, 'tsetp_admin', 'MEMBER'),
                pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                pg_catalog.format('Only %s of its %s serials exist in the registry.', got, want),
                'Check the block with tsetp.balance or tsetp.holding.',
                pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                pg_catalog.format('Not every serial of the block is in account %s.', src.number),
                'Check the block with tsetp.balance or tsetp.holding.');
        END IF;
    ELSE
        -- By kind and amount: oldest vintage first, the last block split.
        FOR h IN SELECT x.block, x.first_serial, x.tonnes, x.tx, x.vintage::int AS vint
                   FROM tsetp.holding x
                  WHERE x.account = src.number AND x.kind = NEW.kind AND x.state = 'free'
                  ORDER BY x.vintage, x.first_serial
                    FOR UPDATE LOOP
            IF NEW.type IN ('transfer', 'surrender') AND (ck.excess_reduction OR NEW.type = 'surrender') THEN
                IF h.vint IS DISTINCT FROM last_vint THEN
                    last_vint := h.vint;
                    last_ok := 0;
                    vp := tsetp.vintage_period(NEW.programme, h.vint::tsetp.fiscal_year);
                    IF NEW.type = 'transfer' THEN
                        IF vp IS NULL OR h.vint - tsetp.lower((SELECT p.years FROM tsetp.plan_period p
                                                               WHERE p.programme = NEW.programme AND p.period_no = vp))::int + 1
                                         < COALESCE(prog.excess_from_year, 1) THEN
                            last_ok := 3003;
                        END IF;
                    ELSIF vp IS NULL THEN
                        last_ok := 4007;
                    ELSIF vp > NEW.period_no THEN
                        last_ok := 4001;
                    ELSIF NOT tsetp.banking_eligible(vp, NEW.period_no, prog.banking_periods) THEN
                        last_ok := 4002;
                    END IF;
                END IF;
                IF last_ok = 0 AND NEW.type = 'surrender' AND ck.own_facility_only
                   AND tsetp.source(h.block) <> fac.code THEN
                    skip_code := 4003;
                    skipped := skipped + h.tonnes;
                    CONTINUE;
                END IF;
                IF last_ok <> 0 THEN
                    skip_code := last_ok;
                    skip_detail := pg_catalog.format('vintage %s', h.vint::tsetp.fiscal_year);
                    skipped := skipped + h.tonnes;
                    CONTINUE;
                END IF;
            END IF;
            IF h.tonnes <= want - got THEN
                piece := h.block;
                UPDATE tsetp.holding x SET account = new_account, state = new_state, tx = NEW.id
                 WHERE x.first_serial = h.first_serial;
            ELSE
                piece := tsetp.split_head(h.block, want - got);
                UPDATE tsetp.holding x SET block = piece, account = new_account, state = new_state, tx = NEW.id
                 WHERE x.first_serial = h.first_serial;
                INSERT INTO tsetp.holding (block, account, state, tx)
                VALUES (tsetp.split_tail(h.block, want - got), src.number, 'free', h.tx);
            END IF;
            got := got + tsetp.tonnes(piece);
            taken := taken || piece;
            EXIT WHEN got = want;
        END LOOP;
        IF got < want THEN
            IF got + skipped >= want AND skip_code = 3003 THEN
                PERFORM tsetp.registry_refuse(3003, pg_catalog.format('excess reduction in account %s is not yet transferable', src.number),
                    pg_catalog.format('Programme %s lets excess reduction move only from year %s of its plan period; %s t of %s are earlier.',
                                      NEW.programme, prog.excess_from_year, skipped, skip_detail),
                    'Wait for the period''s transferable year, or transfer other units.');
            ELSIF got + skipped >= want AND skip_code = 4001 THEN
                PERFORM tsetp.registry_refuse(4001, pg_catalog.format('credits of a later period cannot cover period %s', NEW.period_no),
                    pg_catalog.format('Account %s has %s t of free %s of the right vintage; the rest (%s) belongs to a later period (no borrowing).',
                                      src.number, got, NEW.kind, skip_detail),
                    'Surrender credits of this period or the previous one.');
            ELSIF got + skipped >= want AND skip_code = 4002 THEN
                PERFORM tsetp.registry_refuse(4002, pg_catalog.format('credits of %s are too old for period %s', skip_detail, NEW.period_no),
                    pg_catalog.format('Programme %s carries credits into at most %s later period(s); account %s has only %s t of free %s that qualify.',
                                      NEW.programme, prog.banking_periods, src.number, got, NEW.kind),
                    'Surrender credits of this period or the previous one.');
            ELSIF got + skipped >= want AND skip_code = 4007 THEN
                PERFORM tsetp.registry_refuse(4007, pg_catalog.format('credits of %s fall outside every plan period of %s', skip_detail, NEW.programme),
                    pg_catalog.format('Account %s has only %s t of free %s that qualify for period %s.', src.number, got, NEW.kind, NEW.period_no),
                    'Surrender credits whose vintage lies in this period or the previous one.');
            ELSIF got + skipped >= want AND skip_code = 4003 THEN
                PERFORM tsetp.registry_refuse(4003, pg_catalog.format('%s credits of another facility cannot be surrendered for facility %s', NEW.kind, fac.code),
                    pg_catalog.format('Kind %s counts only for the facility that made it; account %s has only %s t from %s.', NEW.kind, src.number, got, fac.code),
                    'Surrender credits of another kind.');
            ELSE
                PERFORM tsetp.registry_refuse(1004, pg_catalog.format('account %s holds too few free %s credits', src.number, NEW.kind),
                    pg_catalog.format('Account %s holds %s t of free %s that qualify; %s t were requested.', src.number, got, NEW.kind, want),
                    'Request at most the free balance (tsetp.balance); units reserved to pending transactions are not free.');
            END IF;
        END IF;
    END IF;

    -- Surrender of a given block: the same rules, on its one line.
    IF NEW.type = 'surrender' AND NEW.block IS NOT NULL THEN
        vp := tsetp.vintage_period(NEW.programme, tsetp.vintage(NEW.block));
        IF vp IS NULL THEN
            PERFORM tsetp.registry_refuse(4007, pg_catalog.format('credits of vintage %s fall outside every plan period of %s', tsetp.vintage(NEW.block), NEW.programme),
                'Only credits whose vintage lies in a plan period can be surrendered.', 'Surrender credits whose vintage lies in this period or the previous one.');
        ELSIF vp > NEW.period_no THEN
            PERFORM tsetp.registry_refuse(4001, pg_catalog.format('credits of a later period cannot cover period %s', NEW.period_no),
                pg_catalog.format('Block %s is of period %s (no borrowing).', NEW.block, vp), 'Surrender credits of this period or the previous one.');
        ELSIF NOT tsetp.banking_eligible(vp, NEW.period_no, prog.banking_periods) THEN
            PERFORM tsetp.registry_refuse(4002, pg_catalog.format('credits of vintage %s are too old for period %s', tsetp.vintage(NEW.block), NEW.period_no),
                pg_catalog.format('Block %s is of period %s; programme %s carries credits into at most %s later period(s).', NEW.block, vp, NEW.programme, prog.banking_periods),
                'Surrender credits of this period or the previous one.');
        ELSIF ck.own_facility_only AND tsetp.source(NEW.block) <> fac.code THEN
            PERFORM tsetp.registry_refuse(4003, pg_catalog.format('%s credits of another facility cannot be surrendered for facility %s', NEW.kind, fac.code),
                pg_catalog.format('Block %s was made by %s; kind %s counts only for the facility that made it.', NEW.block, tsetp.source(NEW.block), NEW.kind),
                'Surrender credits of another kind.');
        END IF;
    ELSIF NEW.type = 'transfer' AND NEW.block IS NOT NULL AND ck.excess_reduction THEN
        vp := tsetp.vintage_period(NEW.programme, tsetp.vintage(NEW.block));
        IF vp IS NULL OR tsetp.vintage(NEW.block)::int - tsetp.lower((SELECT p.years FROM tsetp.plan_period p
                                                                       WHERE p.programme = NEW.programme AND p.period_no = vp))::int + 1
                         < COALESCE(prog.excess_from_year, 1) THEN
            PERFORM tsetp.registry_refuse(3003, pg_catalog.format('excess reduction in account %s is not yet transferable', src.number),
                pg_catalog.format('Programme %s lets excess reduction move only from year %s of its plan period; block %s is earlier.',
                                  NEW.programme, prog.excess_from_year, NEW.block),
                'Wait for the period''s transferable year, or transfer other units.');
        END IF;
    END IF;

    -- Per-kind caps on surrender (Tokyo: out-of-area credits at most 1/3 of the obligation).
    IF NEW.type = 'surrender' AND ck.cap_numerator IS NOT NULL THEN
        -- Surrenders of the kind for the facility and period may come from
        -- several accounts: they meet on one guard row before the sum.
        INSERT INTO tsetp.surrender_guard AS g (facility_id, period_no, kind)
        VALUES (NEW.facility_id, NEW.period_no, NEW.kind)
        ON CONFLICT (facility_id, period_no, kind) DO UPDATE SET touches = g.touches + 1;
        SELECT COALESCE(pg_catalog.sum(l.amount::numeric), 0) INTO lo
          FROM tsetp.ledger l
          JOIN tsetp.transaction_status s ON s.id = l.id
         WHERE l.facility_id = NEW.facility_id AND l.period_no = NEW.period_no AND l.type = 'surrender'
           AND l.kind = NEW.kind AND s.status IN ('requested', 'completed');
        hi := (SELECT pg_catalog.floor(r.target_total::numeric * ck.cap_numerator / ck.cap_denominator)
                 FROM tsetp.facility_period_reduction r
                WHERE r.facility_id = NEW.facility_id AND r.period_no = NEW.period_no);
        IF lo + want > COALESCE(hi, 0) THEN
            PERFORM tsetp.registry_refuse(4004, pg_catalog.format('%s credits for facility %s in period %s would exceed their cap', NEW.kind, fac.code, NEW.period_no),
                pg_catalog.format('At most %s/%s of the reduction obligation, %s t, may be met with %s; %s t are already surrendered or requested and %s t more were asked.',
                                  ck.cap_numerator, ck.cap_denominator, COALESCE(hi, 0), NEW.kind, lo, want),
                'Surrender other kinds for the rest.');
        END IF;
    END IF;

    NEW.blocks := taken;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.ledger_rules() IS
    'Trigger body called by tsetp.ledger_apply: checks a new ledger row against every registry rule (accounts, routes, business hours, kinds, serials, banking, caps, corrections), raises the documented refusal, and applies it to the holdings; see docs/checks.md';
REVOKE EXECUTE ON FUNCTION tsetp.ledger_rules() FROM PUBLIC;

-- The ledger's trigger. A transfer of an amount of a kind that takes effect
-- at once and passes every check is applied in C on plans kept per backend
-- (the commonest request, and the one integrators send in bulk); anything
-- else, and every request that some check would refuse, goes to
-- tsetp.ledger_rules() before anything is written, so that the refusals
-- are made in one place.
CREATE FUNCTION tsetp.ledger_apply() RETURNS trigger
    AS 'MODULE_PATHNAME', 'registry_ledger_apply'
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION tsetp.ledger_apply() IS
    'Trigger: checks a new ledger row against every registry rule (accounts, routes, business hours, kinds, serials, banking, caps, corrections) and applies it to the holdings, transfers that pass on a fast path in C, everything else through tsetp.ledger_rules; see docs/checks.md';

CREATE TRIGGER b_apply BEFORE INSERT ON tsetp.ledger
    FOR EACH ROW EXECUTE FUNCTION tsetp.ledger_apply();

-- A decision on a pending transaction: four-eyes approval, rejection, or
-- withdrawal by the requester; applies or releases the reserved units.
CREATE FUNCTION tsetp.approval_apply() RETURNS trigger
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
    -- A role that is not a tsetp_admin decides only on transactions of the
    -- holders it acts for, and only to withdraw: it learns nothing about
    -- any other transaction (not even whether it exists) and locks none.
    IF NOT pg_catalog.pg_has_role(NEW.decided_by, 'tsetp_admin', 'MEMBER') THEN
        IF NEW.decision IS DISTINCT FROM 'withdrawn' THEN
            PERFORM tsetp.registry_refuse(5002, pg_catalog.format('%s may not decide on transaction %s', NEW.decided_by, NEW.transaction_id),
                'Only a role holding tsetp_admin approves or rejects transactions.',
                'Ask the registry administrator.');
        END IF;
        IF NOT EXISTS (SELECT 1 FROM tsetp.ledger l
                         JOIN tsetp.account x ON x.number IN (l.from_account, l.to_account)
                        WHERE l.id = NEW.transaction_id AND tsetp.role_sees_holder(NEW.decided_by, x.holder)) THEN
            PERFORM tsetp.registry_refuse(5003, pg_catalog.format('transaction %s is not waiting for approval', NEW.transaction_id),
                pg_catalog.format('No transaction %s of the holders you act for waits for approval.', NEW.transaction_id),
                'See tsetp.ledger_report.');
        END IF;
    END IF;
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
        -- The accounts' guards before their status is read (tsetp.account_guard).
        PERFORM tsetp.account_guard_move(t.from_account, t.to_account);
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

CREATE TRIGGER b_apply BEFORE INSERT ON tsetp.approval
    FOR EACH ROW EXECUTE FUNCTION tsetp.approval_apply();

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

-- ---------------------------------------------------------------------------
-- Functions: conveniences over INSERT INTO tsetp.ledger / tsetp.approval
-- ---------------------------------------------------------------------------

CREATE FUNCTION tsetp.issue(account text, kind text, vintage tsetp.fiscal_year, source text, amount tsetp.tco2)
    RETURNS tsetp.credit
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result tsetp.credit;
BEGIN
    INSERT INTO tsetp.ledger (type, to_account, kind, vintage, source, amount)
        VALUES ('issue', $1, $2, $3, $4, $5)
        RETURNING block INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION tsetp.issue(text, text, tsetp.fiscal_year, text, tsetp.tco2) IS
    'Issues whole tonnes of a credit kind into an account with fresh serials and returns the block (tsetp_admin)';

-- The programme's kind of excess reduction (credit_kind.excess_reduction);
-- refused (3001) when it has none.
CREATE FUNCTION tsetp.excess_kind(programme text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result text;
BEGIN
    SELECT k.code INTO result FROM tsetp.credit_kind k WHERE k.programme = $1 AND k.excess_reduction;
    IF result IS NULL THEN
        PERFORM tsetp.registry_refuse(3001, pg_catalog.format('programme %s has no credit kind for excess reduction', $1),
            pg_catalog.format('No row of tsetp.credit_kind for %s has excess_reduction set; kinds of %s: %s.', $1, $1,
                              COALESCE((SELECT pg_catalog.string_agg(k.code, ', ' ORDER BY k.code) FROM tsetp.credit_kind k WHERE k.programme = $1), 'none')),
            'Mark the programme''s kind of excess reduction in tsetp.credit_kind (excess_reduction).');
    END IF;
    RETURN result;
END
$$;
COMMENT ON FUNCTION tsetp.excess_kind(text) IS
    'The credit kind a programme issues for excess reduction (tsetp.credit_kind.excess_reduction; ER in Saitama and Tokyo); refuses with check 3001 when it has none';

CREATE FUNCTION tsetp.issue_excess(facility_id bigint, period_no int) RETURNS tsetp.credit
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f        tsetp.facility;
    p        tsetp.programme;
    pp       tsetp.plan_period;
    r        record;
    last_fy  tsetp.fiscal_year;
    issued   numeric;
    n        numeric;
    acct     text;
    ekind    text;
    result   tsetp.credit;
BEGIN
    SELECT * INTO STRICT f FROM tsetp.facility x WHERE x.id = $1;
    SELECT * INTO STRICT p FROM tsetp.programme x WHERE x.code = f.programme;
    -- One issuer of a programme's excess at a time (this function, the
    -- set-wise tsetp.issue_excess_all(programme, period_no) and the ledger's
    -- checks), so that the engine's figures and what was issued already are
    -- read after any concurrent issuance or change has committed.
    PERFORM tsetp.excess_guard_lock(f.programme, true);
    ekind := tsetp.excess_kind(f.programme);
    SELECT * INTO pp FROM tsetp.plan_period x WHERE x.programme = f.programme AND x.period_no = $2;
    SELECT * INTO r FROM tsetp.facility_period_reduction x WHERE x.facility_id = $1 AND x.period_no = $2;
    acct := tsetp.designated_account($1);
    IF r.facility_id IS NULL OR acct IS NULL THEN
        PERFORM tsetp.registry_refuse(4006, pg_catalog.format('facility %s has no target for period %s', f.code, $2),
            pg_catalog.format('Facility %s is not covered in period %s of programme %s.', f.code, $2, f.programme),
            'Issue excess reduction for a period in which the facility is covered.');
    END IF;
    -- The latest verified year of the period: issuance covers the verified
    -- years so far, from the programme's excess_from_year-th year on.
    SELECT tsetp.max(e.fy) INTO last_fy
      FROM tsetp.emission e
     WHERE e.facility_id = $1 AND e.verified_by IS NOT NULL AND e.fy OPERATOR(tsetp.<@) pp.years;
    IF last_fy IS NULL OR last_fy::int - tsetp.lower(pp.years)::int + 1 < COALESCE(p.excess_from_year, 1) THEN
        PERFORM tsetp.registry_refuse(4008, pg_catalog.format('excess reduction of facility %s for period %s cannot be issued yet', f.code, $2),
            pg_catalog.format('Excess reduction is issued from year %s of the period (%s) on, for verified years; the latest verified year is %s.',
                              p.excess_from_year, (tsetp.lower(pp.years)::int + COALESCE(p.excess_from_year, 1) - 1)::tsetp.fiscal_year,
                              COALESCE(last_fy::text, 'none')),
            'Record the verified emissions of the period''s years first.');
    END IF;
    -- Already issued: the facility's standing excess of the period.
    SELECT COALESCE(pg_catalog.sum(s.amount::numeric), 0) INTO issued
      FROM tsetp.standing_excess s
     WHERE s.programme = f.programme AND s.source = f.code AND s.period_no = $2;
    n := pg_catalog.floor(tsetp.issuable_excess(COALESCE(r.excess, '0'::tsetp.tco2), issued::tsetp.tco2)::numeric);
    IF n < 1 THEN
        PERFORM tsetp.registry_refuse(4009, pg_catalog.format('facility %s has no excess reduction to issue for period %s', f.code, $2),
            pg_catalog.format('Excess reduction of the verified years is %s t; %s t have been issued already.', COALESCE(r.excess, '0'::tsetp.tco2), issued),
            'Excess reduction is issued in whole tonnes once the verified reduction exceeds the target.');
    END IF;
    INSERT INTO tsetp.ledger (type, to_account, kind, vintage, source, amount, note)
    VALUES ('issue', acct, ekind, last_fy, f.code, n::tsetp.tco2,
            pg_catalog.format('Excess reduction of period %s, verified years to %s', $2, last_fy))
    RETURNING block INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION tsetp.issue_excess(bigint, int) IS
    'Issues the facility''s excess reduction (超過削減量) for a period into its designated account: the cumulative excess of the verified years (reduction capped at half of base per year) minus what was already issued, rounded down to whole tonnes; vintage = the latest verified year; from the period''s second year on (tsetp_admin)';

-- Set-wise issuance of a programme's excess reduction for a period (the
-- period close), in a fixed number of statements whatever the number of
-- facilities: the same ledger rows, serials and holdings as one
-- tsetp.issue_excess(facility_id, period_no) per facility in facility order.
--
-- The bulk path and why no client can use it. The ledger's row triggers
-- check and apply each row; here the rows are checked set-wise (below) and
-- the serials and holdings written set-wise, so the row triggers must let
-- these rows, and only these, through unchanged. They do so while a marker
-- is set that lives in a C variable of the backend (extension/registry.c),
-- not in a setting or a table: no SQL statement can set it. Only the C
-- function tsetp.issue_excess_all(programme, period_no) sets it, after it has
-- checked that the calling role is a tsetp_admin, for the duration of one
-- call of tsetp.issue_excess_all_apply(), which runs as the extension's owner,
-- takes no data from the caller but the programme and the period, and
-- computes every row itself; the marker is cleared when the call ends,
-- whether it returns or fails. While it is set, tsetp.registry_stamp()
-- stamps the caller as requested_by only when the inserting role is the
-- extension's owner. No client code runs during the call: every name is
-- schema-qualified under a fixed search_path, and the triggers, views and
-- functions it reaches belong to the extension. So a client's INSERT into
-- tsetp.ledger, before, during or after a bulk issuance, goes through every
-- check; and tsetp.issue_excess_all_apply() itself may be executed only by the
-- owner (called without the marker, its rows would go through the row
-- checks, which would allocate the given blocks a second time and fail on
-- the holdings' exclusion constraint, storing nothing).
CREATE FUNCTION tsetp.issue_excess_all_apply(programme text, period_no int)
    RETURNS TABLE (facility_id bigint, block tsetp.credit)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p        tsetp.programme;
    pp       tsetp.plan_period;
    rule     tsetp.transaction_rule;
    ids      bigint[];
    accts    text[];
    codes    text[];
    vints    tsetp.fiscal_year[];
    amounts  bigint[];
    total    bigint;
    skipped  text;
    nskipped int;
    first_s  bigint;
    ekind    text;
BEGIN
    SELECT * INTO p FROM tsetp.programme x WHERE x.code = $1;
    SELECT * INTO pp FROM tsetp.plan_period x WHERE x.programme = $1 AND x.period_no = $2;
    IF pp.programme IS NULL THEN
        PERFORM tsetp.registry_refuse(4006, pg_catalog.format('programme %s has no period %s', $1, $2),
            pg_catalog.format('tsetp.plan_period has no row for programme %s and period %s.', $1, $2),
            'Issue excess reduction for a plan period of the programme.');
    END IF;

    -- The checks of tsetp.ledger_rules() that are the same for every row:
    -- issuance of ER into designated accounts, now.
    SELECT * INTO rule FROM tsetp.transaction_rule r WHERE r.programme = $1 AND r.type = 'issue';
    IF NOT FOUND THEN
        PERFORM tsetp.registry_refuse(5005, pg_catalog.format('programme %s does not offer %s transactions', $1, 'issue'),
            pg_catalog.format('tsetp.transaction_rule has no row for %s and %s.', $1, 'issue'),
            'Use a transaction type the programme offers.');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tsetp.account_route r
                    WHERE r.programme = $1 AND r.type = 'issue' AND r.from_type = 'none' AND r.to_type = 'designated') THEN
        PERFORM tsetp.registry_refuse(2006, pg_catalog.format('programme %s does not allow a %s from %s to %s accounts', $1, 'issue', 'no', 'designated'),
            'tsetp.account_route has no row for this issue.',
            'Use an account of a type the programme allows.');
    END IF;
    IF rule.business_hours AND NOT tsetp.in_business_hours($1, tsetp.clock()) THEN
        PERFORM tsetp.registry_refuse(5004, 'issue requests are accepted only in business hours',
            pg_catalog.format('It is %s in %s, outside the business hours of the %s registry.',
                              pg_catalog.to_char(tsetp.clock() AT TIME ZONE p.timezone, 'Dy YYYY-MM-DD HH24:MI'), p.timezone, $1),
            'Send the request again within business hours.');
    END IF;
    ekind := tsetp.excess_kind($1);

    -- One issuer of the programme's excess at a time (as the single version).
    PERFORM tsetp.excess_guard_lock($1, true);

    -- What each facility gets, by the rules of the single version: covered
    -- in the period with a designated account; the latest verified year of
    -- the period at least its excess_from_year-th year (the vintage; taken
    -- from the covered years, which gives the single version's year whenever
    -- there is excess to issue: years before coverage come before the
    -- covered ones and earn no excess); the
    -- cumulative excess of the verified years minus the completed,
    -- unreversed issues of its excess of the period, in whole tonnes; at
    -- least one tonne. Designated accounts that are not open are skipped
    -- (the row checks would refuse them, 2003/2004) with a warning.
    SELECT pg_catalog.array_agg(c.facility_id ORDER BY c.facility_id) FILTER (WHERE c.status = 'open'),
           pg_catalog.array_agg(c.number ORDER BY c.facility_id) FILTER (WHERE c.status = 'open'),
           pg_catalog.array_agg(c.code ORDER BY c.facility_id) FILTER (WHERE c.status = 'open'),
           pg_catalog.array_agg(c.last_fy ORDER BY c.facility_id) FILTER (WHERE c.status = 'open'),
           pg_catalog.array_agg(c.tonnes ORDER BY c.facility_id) FILTER (WHERE c.status = 'open'),
           pg_catalog.sum(c.tonnes) FILTER (WHERE c.status = 'open'),
           pg_catalog.count(*) FILTER (WHERE c.status <> 'open'),
           pg_catalog.string_agg(pg_catalog.format('%s (account %s is %s)', c.code, c.number, c.status), ', '
                                 ORDER BY c.facility_id) FILTER (WHERE c.status <> 'open')
      INTO ids, accts, codes, vints, amounts, total, nskipped, skipped
      FROM (SELECT r.facility_id, f.code, a.number, a.status, r.last_verified_year AS last_fy,
                   pg_catalog.floor(tsetp.issuable_excess(COALESCE(r.excess, '0'::tsetp.tco2),
                                                          COALESCE(i.issued, 0)::tsetp.tco2)::numeric)::bigint AS tonnes
              FROM tsetp.facility_period_reduction r
              JOIN tsetp.facility f ON f.id = r.facility_id
              JOIN tsetp.account a ON a.facility_id = r.facility_id
              LEFT JOIN (SELECT s.source, pg_catalog.sum(s.amount::numeric) AS issued
                           FROM tsetp.standing_excess s
                          WHERE s.programme = $1 AND s.period_no = $2
                          GROUP BY s.source) i ON i.source = f.code
             WHERE r.programme = $1 AND r.period_no = $2 AND f.programme = $1
               AND r.last_verified_year::int - tsetp.lower(pp.years)::int + 1 >= COALESCE(p.excess_from_year, 1)) c
     WHERE c.tonnes >= 1;
    IF nskipped > 0 THEN
        RAISE WARNING 'excess reduction of % facilities of programme % was not issued: their designated accounts are not open', nskipped, $1
            USING DETAIL = 'Not issued: ' || skipped || '.',
                  HINT = 'Reopen the accounts and call tsetp.issue_excess(facility_id, period_no) for each.';
    END IF;
    IF total IS NULL THEN
        RETURN;
    END IF;

    -- The serials, set-wise: one run of free serials (past any imported
    -- block in the way, as the single version), one move of the counter,
    -- a running sum.
    SELECT c.next_serial INTO first_s FROM tsetp.serial_counter c FOR UPDATE;
    first_s := tsetp.free_serials(first_s, total);
    UPDATE tsetp.serial_counter SET next_serial = first_s + total;

    -- One INSERT into the ledger (the rows as the single version's, with
    -- what its triggers would set), one into the holdings.
    RETURN QUERY
    WITH plan AS (
        SELECT u.facility_id, u.account, u.code, u.vintage, u.tonnes,
               (first_s + pg_catalog.sum(u.tonnes) OVER (ORDER BY u.ord) - u.tonnes)::bigint AS first_serial
          FROM UNNEST(ids, accts, codes, vints, amounts) WITH ORDINALITY  -- syntax (ROWS FROM), not a function
               AS u(facility_id, account, code, vintage, tonnes, ord)
    ), issued AS (
        INSERT INTO tsetp.ledger AS l (type, to_account, kind, vintage, source, amount, note,
                                       block, programme, blocks, needs_approval)
        SELECT 'issue', x.account, ekind, x.vintage, x.code, x.tonnes::numeric::tsetp.tco2,
               pg_catalog.format('Excess reduction of period %s, verified years to %s', $2, x.vintage),
               b.block, $1, ARRAY[b.block], false
          FROM plan x
         CROSS JOIN LATERAL (SELECT tsetp.credit(p.credit_origin, ekind, x.vintage, x.code,
                                                 x.first_serial, x.first_serial + x.tonnes - 1)) AS b(block)
         ORDER BY x.first_serial
        RETURNING l.id, l.block, l.to_account
    ), held AS (
        INSERT INTO tsetp.holding (block, account, state, tx)
        SELECT i.block, i.to_account, 'free', i.id FROM issued i
    )
    SELECT x.facility_id, i.block
      FROM plan x
      JOIN issued i ON tsetp.first_serial(i.block) = x.first_serial
     ORDER BY x.first_serial;
END
$$;
COMMENT ON FUNCTION tsetp.issue_excess_all_apply(text, int) IS
    'Internal to tsetp.issue_excess_all(programme, period_no): computes, checks and writes the set-wise issuance of a programme''s excess reduction for a period; executable only by the extension''s owner, and applied only while that C function has marked the call';
REVOKE EXECUTE ON FUNCTION tsetp.issue_excess_all_apply(text, int) FROM PUBLIC;

-- Its own name, not an overload of tsetp.issue_excess: an integrator's
-- untyped parameter (libpq's $1) would resolve to a text overload and turn
-- every existing issue_excess($1, n) call into this one.
CREATE FUNCTION tsetp.issue_excess_all(programme text, period_no int)
    RETURNS TABLE (facility_id bigint, block tsetp.credit)
    AS 'MODULE_PATHNAME', 'registry_issue_excess_all'
    LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION tsetp.issue_excess_all(text, int) IS
    'Issues the excess reduction (超過削減量) of every facility of the programme covered in the period, set-wise (the period close): for each, exactly what tsetp.issue_excess(facility_id, period_no) would issue, one ledger transaction each, serials in facility order; facilities with nothing to issue yet are skipped; returns the facility and its new block (tsetp_admin)';

-- What excess reduction rests on stays as it is while the issue stands:
-- the verified emissions of its period up to its vintage, the base from
-- then on, the facility's code (the credits carry it) and the kind's
-- marking. Changing any of them first needs the issue reversed
-- (tsetp.correct), while its serials are still free; then the excess is
-- issued again.
--
-- Issuers of a programme's excess take this lock exclusively, changes of
-- what it rests on take it shared (they do not wait for each other, and a
-- multi-row UPDATE holding some rows cannot deadlock with another holding
-- the rest). The checks after the lock read what was committed before it,
-- which a READ COMMITTED statement does and a REPEATABLE READ or
-- SERIALIZABLE transaction's snapshot, taken earlier, may not: those are
-- refused (check 4015).
--
-- The lock is a row lock on the programme's row of tsetp.issuance_guard,
-- which is granted to no one: no client can take it and so hold back the
-- programme's issuance or its data (an advisory lock could be taken by any
-- login on the same key). Hence SECURITY DEFINER.
CREATE FUNCTION tsetp.excess_guard_lock(programme text, exclusive boolean) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- A programme without a kind of excess reduction issues none: nothing
    -- to guard (its issuers are refused by tsetp.excess_kind).
    IF NOT EXISTS (SELECT 1 FROM tsetp.credit_kind k WHERE k.programme = $1 AND k.excess_reduction) THEN
        RETURN;
    END IF;
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        PERFORM tsetp.registry_refuse(4015, pg_catalog.format('excess reduction and what it rests on change only in READ COMMITTED transactions, not %s',
                                                         pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))),
            'Issuing excess reduction, and changing the verified emissions or base it is computed from, must read what other transactions committed before.',
            'Run it in a READ COMMITTED transaction (the default).');
    END IF;
    INSERT INTO tsetp.issuance_guard (programme) VALUES ($1) ON CONFLICT DO NOTHING;
    IF exclusive THEN
        PERFORM 1 FROM tsetp.issuance_guard g WHERE g.programme = $1 FOR UPDATE;
    ELSE
        PERFORM 1 FROM tsetp.issuance_guard g WHERE g.programme = $1 FOR SHARE;
    END IF;
END
$$;
COMMENT ON FUNCTION tsetp.excess_guard_lock(text, boolean) IS
    'Takes the programme''s issuance lock (exclusive for issuers of excess reduction, shared for changes of what it rests on), in READ COMMITTED only (check 4015); nothing for a programme without a kind of excess reduction';

-- The first standing issue of the facility's excess reduction of a vintage
-- from fy on (fy NULL: of any vintage), in any period; NULL when none.
CREATE FUNCTION tsetp.excess_issued_from(facility_id bigint, fy tsetp.fiscal_year) RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT pg_catalog.min(s.id)
              FROM tsetp.facility f
              JOIN tsetp.standing_excess s ON s.programme = f.programme AND s.source = f.code
             WHERE f.id = $1 AND ($2 IS NULL OR s.vintage OPERATOR(tsetp.>=) $2));
COMMENT ON FUNCTION tsetp.excess_issued_from(bigint, tsetp.fiscal_year) IS
    'The first standing (unreversed) issue of the facility''s excess reduction of a vintage from fiscal year fy on (NULL: any), in any period; NULL when none';

-- A base revision applies from its fiscal year on, so excess reduction of
-- a vintage from then on rests on the base it replaces.
CREATE FUNCTION tsetp.base_emission_under_issue() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    issue_id bigint;
    fac      tsetp.facility;
BEGIN
    SELECT * INTO fac FROM tsetp.facility f WHERE f.id = NEW.facility_id;
    PERFORM tsetp.excess_guard_lock(fac.programme, false);
    issue_id := tsetp.excess_issued_from(NEW.facility_id, NEW.effective_from);
    IF issue_id IS NOT NULL THEN
        PERFORM tsetp.registry_refuse(4014, pg_catalog.format('base emissions of %s cannot be revised from %s: excess reduction was issued on them', fac.code, NEW.effective_from),
            pg_catalog.format('Transaction %s issued excess reduction of %s for the verified years up to %s, computed from the base in force then.',
                              issue_id, fac.code, (SELECT l.vintage FROM tsetp.ledger l WHERE l.id = issue_id)),
            pg_catalog.format('Reverse the issue first (tsetp.correct(%s, reason)), then revise the base and issue again.', issue_id));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.base_emission_under_issue() IS
    'Trigger: refuses a base revision taking effect in or before the vintage of standing excess reduction of the facility (check 4014)';
CREATE TRIGGER base_emission_under_issue BEFORE INSERT ON tsetp.base_emission
    FOR EACH ROW EXECUTE FUNCTION tsetp.base_emission_under_issue();

-- The inputs of the evaluation, guarded set-wise once per statement (a
-- load of many rows costs one query, not one per row), from the rows the
-- statement changed (transition tables): verified emissions and
-- certifications count in their year's plan period, energy use of a year
-- (coverage) in every later one. The statement's rows are written before
-- the check, so the shared lock is taken after them; shared, concurrent
-- changes do not wait for each other. An issuer that goes on to write
-- these inputs in the same transaction can deadlock with a change waiting
-- for its lock (one of the two is rolled back): issue last. The triggers'
-- names sort first, so that a refused change of energy use stops before
-- the coverage refresh (triggers of a kind fire in name order).
CREATE FUNCTION tsetp.excess_input_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    hit     record;
    old_ids bigint[];
    old_fys tsetp.fiscal_year[];
    new_ids bigint[];
    new_fys tsetp.fiscal_year[];
    ids     bigint[];
    fys     tsetp.fiscal_year[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM tsetp.standing_excess) THEN
            PERFORM tsetp.registry_refuse(CASE TG_TABLE_NAME WHEN 'emission' THEN 4013 ELSE 4017 END,
                pg_catalog.format('%s cannot be truncated: excess reduction was issued on it', TG_TABLE_NAME),
                'The registry holds excess reduction computed from it.',
                'Change it row by row, after reversing the issues that rest on it.');
        END IF;
        RETURN NULL;
    END IF;

    -- The (facility, year) of every row that counts and changed: any row of
    -- energy use or certification; of emissions, a verified one whose
    -- verified amount is not the same before and after. (Gathered into
    -- arrays: the transition tables exist only for their events.)
    IF TG_TABLE_NAME = 'emission' AND TG_OP = 'INSERT' THEN
        SELECT pg_catalog.array_agg(n.facility_id), pg_catalog.array_agg(n.fy) INTO new_ids, new_fys
          FROM new_rows n WHERE n.verified_by IS NOT NULL;
    ELSIF TG_TABLE_NAME = 'emission' AND TG_OP = 'DELETE' THEN
        SELECT pg_catalog.array_agg(o.facility_id), pg_catalog.array_agg(o.fy) INTO old_ids, old_fys
          FROM old_rows o WHERE o.verified_by IS NOT NULL;
    ELSIF TG_TABLE_NAME = 'emission' THEN
        -- Set operations, not anti-joins: the plan is kept for the session,
        -- and one made for a one-row UPDATE must not serve a bulk one.
        SELECT pg_catalog.array_agg(x.facility_id), pg_catalog.array_agg(x.fy) INTO old_ids, old_fys
          FROM (SELECT o.facility_id, o.fy, o.amount FROM old_rows o WHERE o.verified_by IS NOT NULL
                EXCEPT
                SELECT n.facility_id, n.fy, n.amount FROM new_rows n WHERE n.verified_by IS NOT NULL) x;
        SELECT pg_catalog.array_agg(x.facility_id), pg_catalog.array_agg(x.fy) INTO new_ids, new_fys
          FROM (SELECT n.facility_id, n.fy, n.amount FROM new_rows n WHERE n.verified_by IS NOT NULL
                EXCEPT
                SELECT o.facility_id, o.fy, o.amount FROM old_rows o WHERE o.verified_by IS NOT NULL) x;
    ELSE
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT pg_catalog.array_agg(o.facility_id), pg_catalog.array_agg(o.fy) INTO old_ids, old_fys FROM old_rows o;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT pg_catalog.array_agg(n.facility_id), pg_catalog.array_agg(n.fy) INTO new_ids, new_fys FROM new_rows n;
        END IF;
    END IF;
    ids := COALESCE(old_ids, '{}') || COALESCE(new_ids, '{}');
    fys := COALESCE(old_fys, '{}') || COALESCE(new_fys, '{}');
    IF pg_catalog.cardinality(ids) = 0 THEN
        RETURN NULL;
    END IF;

    -- The programmes of the rows that can matter, locked in name order: of
    -- emissions and certifications those of a plan-period year (a base year
    -- earns no excess), of energy use all.
    PERFORM tsetp.excess_guard_lock(x.programme, false)
       FROM (SELECT DISTINCT f.programme
               FROM UNNEST(ids, fys) AS c(facility_id, fy)  -- syntax (ROWS FROM), not a function
               JOIN tsetp.facility f ON f.id = c.facility_id
              WHERE TG_TABLE_NAME = 'energy_use'
                 OR EXISTS (SELECT 1 FROM tsetp.plan_period pp
                             WHERE pp.programme = f.programme AND pp.years OPERATOR(tsetp.@>) c.fy)
              ORDER BY f.programme) x;

    SELECT c.fy, f.code, s.id, s.vintage INTO hit
      FROM UNNEST(ids, fys) AS c(facility_id, fy)  -- syntax (ROWS FROM), not a function
      JOIN tsetp.facility f ON f.id = c.facility_id
      JOIN tsetp.standing_excess s ON s.programme = f.programme AND s.source = f.code
     WHERE s.vintage OPERATOR(tsetp.>=) c.fy
       AND (TG_TABLE_NAME = 'energy_use'
            OR EXISTS (SELECT 1 FROM tsetp.plan_period pp
                        WHERE pp.programme = f.programme AND pp.period_no = s.period_no
                          AND pp.years OPERATOR(tsetp.@>) c.fy))
     ORDER BY f.code, c.fy, s.id
     LIMIT 1;
    IF FOUND THEN
        PERFORM tsetp.registry_refuse(CASE TG_TABLE_NAME WHEN 'emission' THEN 4013 ELSE 4017 END,
            pg_catalog.format('%s of %s for %s cannot change: excess reduction was issued on %s',
                              CASE TG_TABLE_NAME WHEN 'emission' THEN 'verified emissions' WHEN 'certification' THEN 'certification' ELSE 'energy use' END,
                              hit.code, hit.fy, CASE TG_TABLE_NAME WHEN 'emission' THEN 'them' ELSE 'it' END),
            pg_catalog.format('Transaction %s issued excess reduction of %s computed with it (verified years up to %s).', hit.id, hit.code, hit.vintage),
            pg_catalog.format('Reverse the issue first (tsetp.correct(%s, reason)), then record the change and issue again.', hit.id));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.excess_input_check() IS
    'Statement trigger: refuses to record, change or delete a verified emission year or a certification that standing excess reduction rests on (a year of its plan period up to its vintage; checks 4013, 4017), or energy use of a year up to the vintage of standing excess reduction of the facility (4017); and to truncate these tables once any was issued';
CREATE TRIGGER a_excess_input_insert AFTER INSERT ON tsetp.emission
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();
CREATE TRIGGER a_excess_input_update AFTER UPDATE ON tsetp.emission
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();
CREATE TRIGGER a_excess_input_delete AFTER DELETE ON tsetp.emission
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();
CREATE TRIGGER a_excess_input_no_truncate BEFORE TRUNCATE ON tsetp.emission
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();
CREATE TRIGGER a_excess_input_insert AFTER INSERT ON tsetp.certification
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();
CREATE TRIGGER a_excess_input_update AFTER UPDATE ON tsetp.certification
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();
CREATE TRIGGER a_excess_input_delete AFTER DELETE ON tsetp.certification
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();
CREATE TRIGGER a_excess_input_no_truncate BEFORE TRUNCATE ON tsetp.certification
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();
CREATE TRIGGER a_excess_input_insert AFTER INSERT ON tsetp.energy_use
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();
CREATE TRIGGER a_excess_input_update AFTER UPDATE ON tsetp.energy_use
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();
CREATE TRIGGER a_excess_input_delete AFTER DELETE ON tsetp.energy_use
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();
CREATE TRIGGER a_excess_input_no_truncate BEFORE TRUNCATE ON tsetp.energy_use
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.excess_input_check();

-- Credits carry the code of the facility they come from, and the ledger
-- names it as their source: it stays once credits were issued under it.
-- The category sets the facility's rates: it stays while excess reduction
-- computed with them stands. Under the programme's issuance lock, as the
-- other changes of what excess rests on.
CREATE FUNCTION tsetp.facility_code_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    issue_id bigint;
BEGIN
    IF NEW.code = OLD.code AND NEW.programme = OLD.programme AND NEW.category = OLD.category THEN
        RETURN NEW;
    END IF;
    PERFORM tsetp.excess_guard_lock(OLD.programme, false);
    IF (NEW.code <> OLD.code OR NEW.programme <> OLD.programme)
       AND EXISTS (SELECT 1 FROM tsetp.ledger l WHERE l.type = 'issue' AND l.source = OLD.code AND l.programme = OLD.programme) THEN
        PERFORM tsetp.registry_refuse(4016, pg_catalog.format('facility %s cannot change its code or programme: credits were issued under it', OLD.code),
            pg_catalog.format('The registry issued credits from %s in programme %s; their serial blocks and the ledger name it.', OLD.code, OLD.programme),
            'Keep the code; names and operators may change.');
    END IF;
    issue_id := tsetp.excess_issued_from(OLD.id, NULL);
    IF NEW.category <> OLD.category AND issue_id IS NOT NULL THEN
        PERFORM tsetp.registry_refuse(4016, pg_catalog.format('facility %s cannot change its category: excess reduction was issued with its rates', OLD.code),
            pg_catalog.format('Transaction %s issued excess reduction of %s computed with the rates of category %s.', issue_id, OLD.code, OLD.category),
            pg_catalog.format('Reverse the issue first (tsetp.correct(%s, reason)), then change the category and issue again.', issue_id));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.facility_code_check() IS
    'Trigger: refuses to change the code or programme of a facility that credits were issued from, or its category while excess reduction computed with its rates stands (check 4016)';
CREATE TRIGGER facility_code_check BEFORE UPDATE ON tsetp.facility
    FOR EACH ROW EXECUTE FUNCTION tsetp.facility_code_check();

-- A credit kind the ledger has moved keeps its code and its marking as
-- excess reduction: the checks read the marking and sum issues by kind.
CREATE FUNCTION tsetp.credit_kind_check() RETURNS trigger
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
CREATE TRIGGER credit_kind_check BEFORE UPDATE OR DELETE ON tsetp.credit_kind
    FOR EACH ROW EXECUTE FUNCTION tsetp.credit_kind_check();
CREATE TRIGGER credit_kind_no_truncate BEFORE TRUNCATE ON tsetp.credit_kind
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.credit_kind_check();

-- The programme's configuration that excess reduction is computed with
-- (coverage, the base window, periods, rates, ladders, reliefs, the cap) and
-- that the guards read to decide what is guarded (the credit origin, the
-- periods) stays as it was while excess reduction computed with it stands:
-- an INSERT, UPDATE or DELETE of a row of the programme (of a plan period,
-- of its rates and reliefs: of that period; of a category's rates: of a
-- facility of that category) is refused while an issue it concerns stands
-- (checks 4018-4021), TRUNCATE while any stands. Changes of names, the
-- time zone, the penalty factor, banking, deadlines and excess_from_year
-- (from when excess is issued and transferred, not how much) are free: the
-- engine does not compute excess with them; so is a new category or
-- certification kind, which no row refers to yet. A change of the first plan period (coverage starts no
-- earlier, and the base window of existing facilities follows it) concerns
-- every issue of the programme. Under the programme's issuance lock, taken
-- shared as the other changes of what excess rests on take it.
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

-- The request functions are one INSERT into the ledger each; every check is
-- made by the ledger's triggers, as for a direct INSERT. They are PL/pgSQL,
-- which keeps the INSERT's plan for the session (an SQL function plans it
-- on every call before PostgreSQL 18: 15% of a transfer). The table is
-- named with its schema and nothing else is looked up by name, so no
-- search_path can redirect them, and they need no SET clause (which would
-- cost every call a configuration save and restore). They run with the
-- caller's rights.
CREATE FUNCTION tsetp.transfer(from_account text, to_account text, kind text, amount tsetp.tco2) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result bigint;
BEGIN
    INSERT INTO tsetp.ledger (type, from_account, to_account, kind, amount)
        VALUES ('transfer', $1, $2, $3, $4)
        RETURNING id INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION tsetp.transfer(text, text, text, tsetp.tco2) IS
    'Requests a transfer of an amount of a credit kind (blocks chosen oldest vintage first, the last one split) and returns the transaction id';

CREATE FUNCTION tsetp.transfer(from_account text, to_account text, block tsetp.credit) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result bigint;
BEGIN
    INSERT INTO tsetp.ledger (type, from_account, to_account, block)
        VALUES ('transfer', $1, $2, $3)
        RETURNING id INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION tsetp.transfer(text, text, tsetp.credit) IS
    'Requests a transfer of the given serials and returns the transaction id';

CREATE FUNCTION tsetp.surrender(facility_id bigint, period_no int, from_account text, kind text, amount tsetp.tco2) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result bigint;
BEGIN
    INSERT INTO tsetp.ledger (type, facility_id, period_no, from_account, kind, amount)
        VALUES ('surrender', $1, $2, $3, $4, $5)
        RETURNING id INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION tsetp.surrender(bigint, int, text, text, tsetp.tco2) IS
    'Requests the surrender (目標達成への充当) of an amount of a credit kind for a facility''s target in a plan period and returns the transaction id';

CREATE FUNCTION tsetp.retire(from_account text, kind text, amount tsetp.tco2) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result bigint;
BEGIN
    INSERT INTO tsetp.ledger (type, from_account, kind, amount)
        VALUES ('retire', $1, $2, $3)
        RETURNING id INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION tsetp.retire(text, text, tsetp.tco2) IS
    'Retires an amount of a credit kind from an account (JVETS: allowances covering emissions) and returns the transaction id';

CREATE FUNCTION tsetp.cancel(from_account text, block tsetp.credit, note text) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result bigint;
BEGIN
    INSERT INTO tsetp.ledger (type, from_account, block, note)
        VALUES ('cancel', $1, $2, $3)
        RETURNING id INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION tsetp.cancel(text, tsetp.credit, text) IS
    'Cancels the given serials in an account for good (tsetp_admin) and returns the transaction id';

CREATE FUNCTION tsetp.correct(transaction bigint, note text) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result bigint;
BEGIN
    INSERT INTO tsetp.ledger (type, corrects, note)
        VALUES ('correction', $1, $2)
        RETURNING id INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION tsetp.correct(bigint, text) IS
    'Reverses a completed transaction with a correction that points at it, once, while its serials are still free (tsetp_admin); returns the correction''s id';

CREATE FUNCTION tsetp.approve(transaction bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO tsetp.approval (transaction_id, decision) VALUES ($1, 'approved');
END
$$;
COMMENT ON FUNCTION tsetp.approve(bigint) IS
    'Approves a pending transfer, surrender or retirement: it takes effect now (a tsetp_admin other than the requester)';

CREATE FUNCTION tsetp.reject(transaction bigint, reason text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO tsetp.approval (transaction_id, decision, reason) VALUES ($1, 'rejected', $2);
END
$$;
COMMENT ON FUNCTION tsetp.reject(bigint, text) IS
    'Rejects a pending transaction and frees its reserved units (tsetp_admin)';

CREATE FUNCTION tsetp.withdraw(transaction bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO tsetp.approval (transaction_id, decision) VALUES ($1, 'withdrawn');
END
$$;
COMMENT ON FUNCTION tsetp.withdraw(bigint) IS
    'Withdraws one''s own pending transaction (status cancelled) and frees its reserved units';

-- ---------------------------------------------------------------------------
-- Balances and reports
-- ---------------------------------------------------------------------------

CREATE FUNCTION tsetp.balance(account text)
    RETURNS TABLE (kind text, vintage tsetp.fiscal_year, amount tsetp.tco2)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT h.kind, h.vintage, pg_catalog.sum(h.tonnes)::tsetp.tco2
      FROM tsetp.holding h
     WHERE h.account = $1 AND h.state IN ('free', 'reserved')
     GROUP BY h.kind, h.vintage
     ORDER BY h.kind, h.vintage;
END;
COMMENT ON FUNCTION tsetp.balance(text) IS
    'Units an account holds, by kind and vintage (free and reserved to pending transactions; not surrendered, retired or cancelled)';

-- Every movement of units in and out of accounts by transactions that took
-- effect: a correction moves the blocks back.
CREATE VIEW tsetp.ledger_movement AS
SELECT l.id AS transaction_id, s.effective_at, x.account, x.direction, b.block,
       tsetp.kind(b.block) AS kind, tsetp.vintage(b.block) AS vintage, tsetp.tonnes(b.block) AS tonnes
  FROM tsetp.ledger l
  JOIN tsetp.transaction_status s ON s.id = l.id
 CROSS JOIN LATERAL pg_catalog.unnest(l.blocks) AS b(block)
 CROSS JOIN LATERAL (VALUES (l.from_account, 'out'), (l.to_account, 'in')) AS x(account, direction)
 JOIN tsetp.account a ON a.number = x.account
 WHERE s.effective_at IS NOT NULL AND tsetp.sees_holder(a.holder);
COMMENT ON VIEW tsetp.ledger_movement IS
    'Each block each effective transaction moved into (in) or out of (out) an account, with the time it took effect';

CREATE FUNCTION tsetp.balance_at(account text, at timestamptz)
    RETURNS TABLE (kind text, vintage tsetp.fiscal_year, amount tsetp.tco2)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT m.kind, m.vintage,
           pg_catalog.sum(CASE m.direction WHEN 'in' THEN m.tonnes ELSE -m.tonnes END)::tsetp.tco2
      FROM tsetp.ledger_movement m
     WHERE m.account = $1 AND m.effective_at <= $2
     GROUP BY m.kind, m.vintage
    HAVING pg_catalog.sum(CASE m.direction WHEN 'in' THEN m.tonnes ELSE -m.tonnes END) <> 0
     ORDER BY m.kind, m.vintage;
END;
COMMENT ON FUNCTION tsetp.balance_at(text, timestamptz) IS
    'Units an account held at a time, by kind and vintage, from the transactions that had taken effect (units reserved then still count as held)';

CREATE VIEW tsetp.account_balance AS
SELECT a.number AS account, a.programme, a.account_type, a.holder, a.facility_id, a.status,
       h.kind, h.vintage::text AS vintage,
       COALESCE(pg_catalog.sum(h.tonnes) FILTER (WHERE h.state = 'free'), 0)::numeric AS free,
       COALESCE(pg_catalog.sum(h.tonnes) FILTER (WHERE h.state = 'reserved'), 0)::numeric AS reserved,
       COALESCE(pg_catalog.sum(h.tonnes) FILTER (WHERE h.state IN ('free', 'reserved')), 0)::numeric AS balance,
       COALESCE(pg_catalog.sum(h.tonnes) FILTER (WHERE h.state = 'surrendered'), 0)::numeric AS surrendered,
       COALESCE(pg_catalog.sum(h.tonnes) FILTER (WHERE h.state = 'retired'), 0)::numeric AS retired,
       COALESCE(pg_catalog.sum(h.tonnes) FILTER (WHERE h.state = 'cancelled'), 0)::numeric AS cancelled
  FROM tsetp.account a
  JOIN tsetp.holding h ON h.account = a.number
 WHERE tsetp.sees_holder(a.holder)
 GROUP BY a.number, h.kind, h.vintage;
COMMENT ON VIEW tsetp.account_balance IS
    'Units per account, kind and vintage in tonnes (numeric): free, reserved to pending transactions, balance (free + reserved), surrendered, retired, cancelled';

CREATE VIEW tsetp.ledger_report AS
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
COMMENT ON VIEW tsetp.ledger_report IS
    'Transaction history per account (JVETS 取引履歴): date, type, status, account and counterparty, amount in or out (numeric tonnes), correction flag and what it corrects';

-- What each facility surrendered for each period, split as the assessment
-- needs it (read by tsetp.facility_assessment and tsetp.compliance_report).
-- It reads every table itself, as the view's owner, and calls no function
-- that reads one: such a function would run as the caller, and a reader of
-- the published reports has no right on the plan periods.
CREATE VIEW tsetp.surrendered_credit AS
SELECT l.facility_id, l.period_no,
       COALESCE(tsetp.sum(tsetp.amount(b.block)) FILTER (WHERE q.own_banked), '0'::tsetp.tco2) AS own_banked,
       COALESCE(tsetp.sum(tsetp.amount(b.block)) FILTER (WHERE NOT q.own_banked), '0'::tsetp.tco2) AS other_credits
  FROM tsetp.ledger l
  JOIN tsetp.transaction_status s ON s.id = l.id
  JOIN tsetp.facility f ON f.id = l.facility_id
  JOIN tsetp.programme p ON p.code = f.programme
 CROSS JOIN LATERAL pg_catalog.unnest(l.blocks) AS b(block)
 CROSS JOIN LATERAL (SELECT COALESCE(tsetp.kind(b.block) = (SELECT k.code FROM tsetp.credit_kind k
                                                                WHERE k.programme = f.programme AND k.excess_reduction)
                                     AND tsetp.source(b.block) = f.code
                                     AND tsetp.origin(b.block) = p.credit_origin
                                     AND (SELECT vp.period_no FROM tsetp.plan_period vp
                                           WHERE vp.programme = f.programme
                                             AND vp.years OPERATOR(tsetp.@>) tsetp.vintage(b.block)) < l.period_no, false)) AS q(own_banked)
 WHERE l.type = 'surrender' AND s.status = 'completed'
 GROUP BY l.facility_id, l.period_no;
COMMENT ON VIEW tsetp.surrendered_credit IS
    'Credits surrendered (completed, not reversed) per facility and period: own_banked = the facility''s own excess reduction from an earlier period; other_credits = everything else';

-- ---------------------------------------------------------------------------
-- Bounds on the inputs: an absurd amount of one facility breaks no one else
-- ---------------------------------------------------------------------------
--
-- Amounts are exact: tco2 is milli-tonnes in an int64 (up to about 9.2e15
-- t), and the engine and the reports add a programme's facility-years up in
-- it. One facility's amount near the type's limit (type-legal, a typing
-- error or a hostile client) would make every sum over the programme
-- overflow: the compliance report, the programme summary, the period's
-- set-wise issuance would fail for all. Rather than make every aggregate
-- wider (numeric everywhere, slower and still unbounded in what the
-- registry then issues), an amount beyond the programme's bound is refused
-- where it is recorded (check 4030). The bounds are rows of the programme;
-- the defaults, 10^9 t of CO2 and 10^9 kL of crude-oil equivalent a year
-- for one facility, lie far above any real facility (Japan's whole energy
-- use is about 4 x 10^8 kL a year) and leave room for some 10^6
-- facility-years in one sum.
ALTER TABLE tsetp.programme
    ADD COLUMN max_tonnes tsetp.tco2 NOT NULL DEFAULT '1000000000' CHECK (max_tonnes > '0'),
    ADD COLUMN max_energy_kl numeric NOT NULL DEFAULT 1000000000 CHECK (max_energy_kl > 0);
COMMENT ON COLUMN tsetp.programme.max_tonnes IS
    'Largest emissions or base emissions of one facility and year the registry records (check 4030; 10^9 t)';
COMMENT ON COLUMN tsetp.programme.max_energy_kl IS
    'Largest energy use of one facility and year, in kL of crude-oil equivalent, the registry records (check 4030; 10^9 kL)';

-- Statement trigger on emissions, base emissions and energy use: refuses
-- the statement when a row it wrote exceeds its programme's bound.
CREATE FUNCTION tsetp.amount_bound_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    hit record;
BEGIN
    IF TG_TABLE_NAME = 'energy_use' THEN
        SELECT f.code, n.fy, n.crude_oil_kl::text AS amount, p.max_energy_kl::text || ' kL' AS bound, p.code AS programme INTO hit
          FROM new_rows n JOIN tsetp.facility f ON f.id = n.facility_id JOIN tsetp.programme p ON p.code = f.programme
         WHERE n.crude_oil_kl > p.max_energy_kl
         LIMIT 1;
    ELSIF TG_TABLE_NAME = 'emission' THEN
        SELECT f.code, n.fy, n.amount::text AS amount, p.max_tonnes::text || ' t' AS bound, p.code AS programme INTO hit
          FROM new_rows n JOIN tsetp.facility f ON f.id = n.facility_id JOIN tsetp.programme p ON p.code = f.programme
         WHERE n.amount OPERATOR(tsetp.>) p.max_tonnes
         LIMIT 1;
    ELSE
        SELECT f.code, n.effective_from AS fy, n.amount::text AS amount, p.max_tonnes::text || ' t' AS bound, p.code AS programme INTO hit
          FROM new_rows n JOIN tsetp.facility f ON f.id = n.facility_id JOIN tsetp.programme p ON p.code = f.programme
         WHERE n.amount OPERATOR(tsetp.>) p.max_tonnes
         LIMIT 1;
    END IF;
    IF FOUND THEN
        PERFORM tsetp.registry_refuse(4030, pg_catalog.format('%s of facility %s for %s exceeds the bound of programme %s', TG_TABLE_NAME, hit.code, hit.fy, hit.programme),
            pg_catalog.format('%s is more than %s, the most programme %s records for one facility and year.', hit.amount, hit.bound, hit.programme),
            'Check the amount and its unit; the bound is the programme''s max_tonnes or max_energy_kl.');
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.amount_bound_check() IS
    'Statement trigger: refuses emissions, base emissions or energy use of one facility and year beyond the programme''s bound (max_tonnes, max_energy_kl; check 4030)';
REVOKE EXECUTE ON FUNCTION tsetp.amount_bound_check() FROM PUBLIC;
CREATE TRIGGER a_amount_bound_insert AFTER INSERT ON tsetp.emission
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.amount_bound_check();
CREATE TRIGGER a_amount_bound_update AFTER UPDATE ON tsetp.emission
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.amount_bound_check();
CREATE TRIGGER a_amount_bound_insert AFTER INSERT ON tsetp.base_emission
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.amount_bound_check();
CREATE TRIGGER a_amount_bound_insert AFTER INSERT ON tsetp.energy_use
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.amount_bound_check();
CREATE TRIGGER a_amount_bound_update AFTER UPDATE ON tsetp.energy_use
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.amount_bound_check();
