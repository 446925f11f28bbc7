-- pgTAP: no request can take the serial space from later issues. An
-- import (an issue of a given block, with another registry's serials) takes
-- only its own serials, however high they are: the counter does not jump
-- past it, and fresh serials go past imported blocks in their way. One issue
-- takes at most the programme's bound (max_tonnes, check 3013).
BEGIN;
SELECT plan(8);
SET LOCAL client_min_messages = warning;
SET search_path = public;
CREATE TEMP TABLE acct AS SELECT tsetp.open_account('saitama', 'Serial Co') AS n;
SELECT next_serial AS before FROM tsetp.serial_counter \gset
SELECT lives_ok(format($$INSERT INTO tsetp.ledger (type, to_account, block)
                        VALUES ('issue', %L, 'TKY/TKY/FY2021/TK1/999999999999000-999999999999999')$$, (SELECT n FROM acct)),
                'a block with the highest serials is imported');
SELECT is((SELECT next_serial FROM tsetp.serial_counter), :before::bigint, 'the import did not move the counter');
-- A block right where the counter stands, and one a little beyond.
SELECT lives_ok(format($$INSERT INTO tsetp.ledger (type, to_account, block)
                        VALUES ('issue', %1$L, 'TKY/TKY/FY2021/TK2/%2$s-%3$s'), ('issue', %1$L, 'TKY/TKY/FY2021/TK3/%4$s-%5$s')$$,
                       (SELECT n FROM acct), :before, :before + 9, :before + 15, :before + 19),
                'blocks at and just past the counter are imported');
SELECT lives_ok(format($$SELECT tsetp.issue(%L, 'SME', 'FY2024', 'P1', '10')$$, (SELECT n FROM acct)),
                'a fresh issue of 10 t goes past the imported blocks in its way');
SELECT is((SELECT tsetp.first_serial(block) FROM tsetp.ledger WHERE type = 'issue' AND source = 'P1'), :before + 20::bigint,
          'its serials are the first run of ten that no block uses');
SELECT lives_ok(format($$SELECT tsetp.issue(%L, 'SME', 'FY2024', 'P2', '5')$$, (SELECT n FROM acct)), 'and the next one');
SELECT is((SELECT tsetp.first_serial(block) FROM tsetp.ledger WHERE type = 'issue' AND source = 'P2'), :before + 30::bigint,
          'follows it');
SELECT throws_ok(format($$SELECT tsetp.issue(%L, 'SME', 'FY2024', 'P3', (SELECT max_tonnes::numeric + 1 FROM tsetp.programme WHERE code = 'saitama')::text::tsetp.tco2)$$,
                        (SELECT n FROM acct)),
                 'TR313', NULL, '3013 one issue takes at most the programme''s max_tonnes');
SELECT * FROM finish();
ROLLBACK;
