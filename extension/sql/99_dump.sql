-- What pg_dump keeps, and how a dump is restored.
--
-- Everything a user writes is dumped: the configuration rows added or
-- changed (50_config.sql), facility data (60_facility.sql), and here the
-- registry and the derived coverage. Every table is dumped as it stands,
-- so a restore must not run the business triggers again (they would
-- re-apply each ledger transaction and re-open accounts): restore with
--   PGOPTIONS='-c session_replication_role=replica' psql -f dump.sql
-- (or pg_restore with the same PGOPTIONS). In that mode only the
-- configuration tables' trigger (ENABLE ALWAYS, see register_config_table)
-- and the serial counter's fire, so that a changed shipped row replaces the
-- row the fresh CREATE EXTENSION wrote.

SELECT pg_catalog.pg_extension_config_dump('tsetp.coverage', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.account', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.account_number_seq', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.holder_member', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.holding', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.serial_counter', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.ledger', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('tsetp.ledger', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.approval', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.account_holder_history', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('tsetp.account_holder_history', 'id')::regclass, '');

-- The serial counter has exactly one row, written by CREATE EXTENSION; the
-- row of a dump being restored moves it forward instead of clashing with it.
CREATE FUNCTION tsetp.serial_counter_restore() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE tsetp.serial_counter c
       SET next_serial = GREATEST(c.next_serial, NEW.next_serial)
     WHERE c.only_row;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.serial_counter_restore() IS
    'Trigger: a restored serial counter moves the existing one forward (it never goes back)';
CREATE TRIGGER serial_counter_restore BEFORE INSERT ON tsetp.serial_counter
    FOR EACH ROW EXECUTE FUNCTION tsetp.serial_counter_restore();
ALTER TABLE tsetp.serial_counter ENABLE ALWAYS TRIGGER serial_counter_restore;
REVOKE EXECUTE ON FUNCTION tsetp.serial_counter_restore() FROM PUBLIC;
