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


-- == What each role reads: row-level security, refusals, the report views ==


-- == Every check across sessions and isolation levels; no one stalls others
-- Rules that read more than the row they write meet on guard rows that
-- competing writers UPDATE (tsetp.account_guard, tsetp.surrender_guard);
-- the programme's issuance lock is a row lock on tsetp.issuance_guard, not
-- an advisory lock any login could take; serials and input amounts are
-- bounded so that no request takes the serial space or the programme's
-- sums from others. See 80_registry.sql.
CREATE TABLE tsetp.account_guard (
    account  text PRIMARY KEY,
    touches  bigint NOT NULL DEFAULT 0
);
COMMENT ON TABLE tsetp.account_guard IS
    'Internal: one row per account, updated by every movement into or out of it and by a change of its status or reserve, so that concurrent checks of its balance, reserve and status see each other or fail with 40001; granted to no one';

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

-- Updates the guard rows of the given accounts (NULLs ignored), in account
-- order so that two movements between the same accounts cannot deadlock.
CREATE FUNCTION tsetp.account_guard_touch(accounts text[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO tsetp.account_guard AS g (account)
    SELECT DISTINCT a.account FROM pg_catalog.unnest($1) AS a(account)
     WHERE a.account IS NOT NULL
     ORDER BY a.account
    ON CONFLICT (account) DO UPDATE SET touches = g.touches + 1;
END
$$;
COMMENT ON FUNCTION tsetp.account_guard_touch(text[]) IS
    'Internal: updates the guard rows of the accounts (tsetp.account_guard) before a check reads their balance or status';
REVOKE EXECUTE ON FUNCTION tsetp.account_guard_touch(text[]) FROM PUBLIC;

-- Fresh serials go past imported blocks; an import does not move the counter.
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

CREATE OR REPLACE FUNCTION tsetp.ledger_rules() RETURNS trigger
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
    acct_no     text;
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
    taken       tsetp.credit[] := '{}';
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
                              AND pg_catalog.pg_has_role(NEW.requested_by, m.member, 'MEMBER'))) THEN
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
        PERFORM tsetp.account_guard_touch(ARRAY[NEW.from_account, NEW.to_account]);
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
    PERFORM tsetp.account_guard_touch(ARRAY[NEW.from_account, NEW.to_account]);
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
        IF NOT FOUND THEN
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
                PERFORM tsetp.registry_refuse(3004, pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                    pg_catalog.format('Serials %s-%s of that line are not in account %s.',
                                      GREATEST(lo, tsetp.first_serial(h.block)), LEAST(hi, tsetp.last_serial(h.block)), src.number),
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
            PERFORM tsetp.registry_refuse(3004, pg_catalog.format('account %s does not hold block %s', src.number, NEW.block),
                pg_catalog.format('Only %s of its %s serials exist in the registry.', got, want),
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

CREATE OR REPLACE FUNCTION tsetp.approval_apply() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t   tsetp.ledger;
    a   tsetp.account;
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
    IF NEW.decision = 'withdrawn' THEN
        IF NEW.decided_by <> t.requested_by AND NOT pg_catalog.pg_has_role(NEW.decided_by, 'tsetp_admin', 'MEMBER') THEN
            PERFORM tsetp.registry_refuse(5009, pg_catalog.format('only %s can withdraw transaction %s', t.requested_by, t.id),
                pg_catalog.format('%s requested it; %s is neither the requester nor a tsetp_admin.', t.requested_by, NEW.decided_by),
                'Ask the requester to withdraw it.');
        END IF;
    ELSE
        IF NOT pg_catalog.pg_has_role(NEW.decided_by, 'tsetp_admin', 'MEMBER') THEN
            PERFORM tsetp.registry_refuse(5002, pg_catalog.format('%s may not decide on transaction %s', NEW.decided_by, t.id),
                'Only a role holding tsetp_admin approves or rejects transactions.',
                'Ask the registry administrator.');
        END IF;
        IF NEW.decision = 'approved' AND NEW.decided_by = t.requested_by THEN
            PERFORM tsetp.registry_refuse(5001, pg_catalog.format('%s cannot approve its own transaction %s', NEW.decided_by, t.id),
                'A transaction takes effect only when approved by a role other than the one that requested it (four-eyes).',
                'Ask another tsetp_admin to approve it.');
        END IF;
    END IF;
    IF NEW.decision = 'approved' THEN
        -- The accounts' guards before their status is read (tsetp.account_guard).
        PERFORM tsetp.account_guard_touch(ARRAY[t.from_account, t.to_account]);
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
    'Trigger: checks a decision on a pending transaction (four-eyes approval by another tsetp_admin, rejection, withdrawal by the requester) and applies or releases its reserved units';

CREATE OR REPLACE FUNCTION tsetp.issue_excess_all_apply(programme text, period_no int)
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

CREATE OR REPLACE FUNCTION tsetp.excess_guard_lock(programme text, exclusive boolean) RETURNS void
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

REVOKE EXECUTE ON FUNCTION tsetp.excess_guard_lock(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tsetp.excess_guard_lock(text, boolean) TO tsetp_admin;


-- == What issued credits rest on; the designated account's holder =========


-- == verify_integrity(): every invariant, checked after the update =========
-- (kept last: it reports what the database held under the older version)

