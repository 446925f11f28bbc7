-- credit: a block of serial-numbered whole tonnes of one credit line.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tsetp;
RESET client_min_messages;
SET search_path = tsetp, public;
\set VERBOSITY default

-- Text input in every vintage form, white space around the whole; output is
-- canonical.
SELECT 'SAI/ER/FY2020/F000123/1000001-1001000'::credit;
SELECT v, v::credit AS canonical
FROM (VALUES
    ('SAI/ER/2020/F000123/1000001-1001000'),
    ('SAI/ER/R2/F000123/1000001-1001000'),
    ('SAI/ER/令和2年度/F000123/1000001-1001000'),
    ('TKY/TKY/令和元年度/T-0001/1-1'),
    ('SAI/SME/H27/sme.site_01/0001-0010'),
    ('JV/jCER/平成27年度/PRJ.12/5-9'),
    ('  SAI/OG/FY2024/F1/7-70 '),
    (E'\tSAI/FOR/FY2030/forest-7/999999999999998-999999999999999\n')
) AS t(v);

-- Accessors.
SELECT origin(c), kind(c), vintage(c), source(c), first_serial(c),
       last_serial(c), tonnes(c), amount(c), serials(c)
FROM (SELECT 'SAI/ER/FY2020/F000123/1000001-1001000'::credit AS c) s;
SELECT amount('TKY/TKY/R6/T1/1-1'::credit) AS one_tonne,
       amount('SAI/ER/FY2020/F1/1-999999999999999'::credit) AS largest;

-- Constructor.
SELECT credit('SAI', 'ER', 'R2', 'F000123', 1000001, 1001000);
SELECT credit('SAI', 'ER', 'R2', 'F000123', 1000001, 1001000)
       = 'SAI/ER/FY2020/F000123/1000001-1001000'::credit AS same;
SELECT credit('sai', 'ER', 'R2', 'F1', 1, 10);
SELECT credit('SAI', 'E R', 'R2', 'F1', 1, 10);
SELECT credit('SAI', 'ER', 'R2', repeat('x', 33), 1, 10);
SELECT credit('SAI', 'ER', 'R2', 'F1', 0, 10);
SELECT credit('SAI', 'ER', 'R2', 'F1', 10, 9);

-- Split: head + tail = original.
SELECT split_head(c, 1) AS head1, split_tail(c, 1) AS tail1,
       split_head(c, 999) AS head999, split_tail(c, 999) AS tail999
FROM (SELECT 'SAI/ER/FY2020/F000123/1000001-1001000'::credit AS c) s;
SELECT n, merge(split_head(c, n), split_tail(c, n)) = c AS head_tail,
       merge(split_tail(c, n), split_head(c, n)) = c AS tail_head,
       tonnes(split_head(c, n)) + tonnes(split_tail(c, n)) = tonnes(c) AS tonnes
FROM (SELECT 'SAI/ER/FY2020/F000123/1000001-1001000'::credit AS c) s,
     (VALUES (1), (2), (500), (999)) AS t(n);
SELECT split_head('SAI/ER/FY2020/F1/1-1000'::credit, 0);
SELECT split_tail('SAI/ER/FY2020/F1/1-1000'::credit, 1000);
SELECT split_head('SAI/ER/FY2020/F1/1-1000'::credit, -5);
SELECT split_head('SAI/ER/FY2020/F1/5-5'::credit, 1);

-- Merge, both orders, and its refusals.
SELECT merge('SAI/ER/FY2020/F1/1-100'::credit, 'SAI/ER/FY2020/F1/101-250'::credit);
SELECT merge('SAI/ER/FY2020/F1/101-250'::credit, 'SAI/ER/FY2020/F1/1-100'::credit);
SELECT merge('SAI/ER/FY2020/F1/1-100'::credit, 'SAI/ER/FY2020/F1/102-250'::credit);
SELECT merge('SAI/ER/FY2020/F1/1-100'::credit, 'SAI/ER/FY2020/F1/100-250'::credit);
SELECT merge('SAI/ER/FY2020/F1/1-100'::credit, 'SAI/ER/FY2020/F1/50-250'::credit);
SELECT merge('SAI/ER/FY2020/F1/300-400'::credit, 'SAI/ER/FY2020/F1/1-100'::credit);
SELECT merge('SAI/ER/FY2020/F1/1-100'::credit, 'SAI/ER/FY2020/F2/101-250'::credit);
SELECT merge('SAI/ER/FY2020/F1/1-100'::credit, 'SAI/ER/FY2021/F1/101-250'::credit);
SELECT merge('SAI/ER/FY2020/F1/1-100'::credit, 'SAI/SME/FY2020/F1/101-250'::credit);
SELECT merge('SAI/ER/FY2020/F1/1-100'::credit, 'TKY/ER/FY2020/F1/101-250'::credit);

-- same_line and adjacent.
SELECT same_line('SAI/ER/R2/F1/1-10'::credit, 'SAI/ER/FY2020/F1/500-600'::credit) AS same,
       same_line('SAI/ER/R2/F1/1-10'::credit, 'SAI/ER/R2/f1/1-10'::credit) AS source_case,
       same_line('JV/jCER/R2/F1/1-10'::credit, 'JV/JCER/R2/F1/1-10'::credit) AS kind_case;

-- Overlap and adjacency truth table against the block 100-200.
SELECT b, 'SAI/ER/R2/F1/100-200'::credit && b::credit AS overlaps,
       b::credit && 'SAI/ER/R2/F1/100-200'::credit AS commuted,
       'SAI/ER/R2/F1/100-200'::credit -|- b::credit AS adjacent,
       adjacent(b::credit, 'SAI/ER/R2/F1/100-200'::credit) AS adjacent_fn,
       serials('SAI/ER/R2/F1/100-200'::credit) && serials(b::credit) AS range_overlaps
FROM (VALUES
    ('SAI/ER/R2/F1/1-98'),
    ('SAI/ER/R2/F1/1-99'),
    ('SAI/ER/R2/F1/1-100'),
    ('SAI/ER/R2/F1/150-150'),
    ('SAI/ER/R2/F1/200-300'),
    ('TKY/TKY/R3/X/201-300'),
    ('SAI/ER/R2/F1/202-300'),
    ('SAI/ER/R2/F1/1-1000')
) AS t(b);

-- Serial containment.
SELECT s, 'SAI/ER/R2/F1/100-200'::credit @> s AS contains,
       s <@ 'SAI/ER/R2/F1/100-200'::credit AS contained,
       contains_serial('SAI/ER/R2/F1/100-200'::credit, s) AS fn
FROM (VALUES (99::bigint), (100), (150), (200), (201)) AS t(s);

-- An exclusion constraint keeps every serial in one block only.
CREATE TABLE credit_holding (
    id int PRIMARY KEY,
    block credit NOT NULL,
    EXCLUDE USING gist (tsetp.serials(block) WITH &&)
);
INSERT INTO credit_holding VALUES (1, 'SAI/ER/FY2020/F1/1000001-1001000');
-- shares only the last serial
INSERT INTO credit_holding VALUES (2, 'TKY/TKY/FY2021/T9/1001000-1002000');
-- shares only the first serial
INSERT INTO credit_holding VALUES (3, 'SAI/ER/FY2020/F1/1-1000001');
-- adjacent blocks on both sides are fine
INSERT INTO credit_holding VALUES (4, 'TKY/TKY/FY2021/T9/1001001-1002000');
INSERT INTO credit_holding VALUES (5, 'SAI/ER/FY2020/F1/1-1000000');
SELECT id, block FROM credit_holding ORDER BY block;

-- Ordering by first serial, then last serial, origin, kind, vintage, source.
CREATE TABLE credit_order (block credit);
INSERT INTO credit_order VALUES
    ('SAI/ER/FY2020/F1/10-20'),
    ('SAI/ER/FY2020/F1/5-20'),
    ('SAI/ER/FY2020/F1/10-15'),
    ('TKY/ER/FY2020/F1/10-20'),
    ('SAI/SME/FY2020/F1/10-20'),
    ('SAI/ER/FY2019/F1/10-20'),
    ('SAI/ER/FY2020/F0/10-20'),
    ('SAI/ER/R2/F1/10-20'),
    ('SAI/ER/2020/F1/10-20');
SELECT block FROM credit_order ORDER BY block;
SELECT block FROM credit_order ORDER BY block DESC LIMIT 3;
SELECT DISTINCT block FROM credit_order ORDER BY block;
SELECT block, count(*) FROM credit_order GROUP BY block ORDER BY block;
SELECT min(first_serial(block)), max(last_serial(block)) FROM credit_order;

-- Comparison operators agree with credit_cmp.
SELECT a.block AS a, b.block AS b,
       a.block < b.block AS lt, a.block <= b.block AS le,
       a.block = b.block AS eq, a.block <> b.block AS ne,
       a.block >= b.block AS ge, a.block > b.block AS gt,
       credit_cmp(a.block, b.block) AS cmp
FROM (VALUES ('SAI/ER/R2/F1/1-10'::credit), ('SAI/ER/R2/F1/1-11'), ('SAI/ER/R2/F2/1-10')) AS a(block),
     (VALUES ('SAI/ER/R2/F1/1-10'::credit), ('SAI/ER/R2/F1/1-11')) AS b(block)
ORDER BY 1, 2;

-- Hash: equal values hash alike whatever the input form; hash join.
SELECT credit_hash('SAI/ER/R2/F1/1-10') = credit_hash('SAI/ER/令和2年度/F1/0001-10') AS same_hash,
       credit_hash_extended('SAI/ER/R2/F1/1-10', 7) = credit_hash_extended(' SAI/ER/2020/F1/1-10', 7) AS same_hash_ext;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM credit_order a JOIN credit_order b ON a.block = b.block;
SELECT count(*) FROM credit_order a JOIN credit_order b ON a.block = b.block;
RESET enable_mergejoin;
RESET enable_nestloop;
SET enable_sort = off;
EXPLAIN (COSTS OFF)
SELECT block, count(*) FROM credit_order GROUP BY block;
RESET enable_sort;
SELECT block, count(*) FROM credit_order GROUP BY block ORDER BY 2 DESC, 1 LIMIT 2;

-- btree index (equality, ranges, ordered scans) and hash index.
CREATE INDEX credit_order_btree ON credit_order (block);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT block FROM credit_order WHERE block < 'SAI/ER/FY2020/F1/10-20' ORDER BY block;
SELECT block FROM credit_order WHERE block < 'SAI/ER/FY2020/F1/10-20' ORDER BY block;
SELECT block FROM credit_order WHERE block = 'SAI/ER/FY2020/F1/10-20';
RESET enable_seqscan;
DROP INDEX credit_order_btree;
CREATE INDEX credit_order_hash ON credit_order USING hash (block);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT block FROM credit_order WHERE block = 'SAI/ER/FY2020/F1/10-20';
SELECT block FROM credit_order WHERE block = 'SAI/ER/FY2020/F1/10-20';
RESET enable_seqscan;

-- Binary send/recv: the wire form is version 1, then the packed fields.
SELECT credit_send('SAI/ER/FY2020/F000123/1000001-1001000');
SELECT '/tmp/tsetp_credit_' || pg_backend_pid() || '.bin' AS path \gset
CREATE TABLE credit_copy (block credit);
INSERT INTO credit_copy SELECT block FROM credit_order;
COPY credit_copy TO :'path' WITH (FORMAT binary);
CREATE TABLE credit_copy2 (block credit);
COPY credit_copy2 FROM :'path' WITH (FORMAT binary);
SELECT count(*) AS rows, bool_and(a.block = b.block) AS all_equal
FROM (SELECT block, row_number() OVER (ORDER BY block) n FROM credit_copy) a
JOIN (SELECT block, row_number() OVER (ORDER BY block) n FROM credit_copy2) b USING (n);
-- Garbage on the wire (sent as bytea, read back as credit) is refused.
CREATE TABLE credit_wire (b bytea);
CREATE FUNCTION pg_temp.recv_credit(w bytea, path text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    TRUNCATE credit_wire, credit_copy2;
    INSERT INTO credit_wire VALUES (w);
    EXECUTE format('COPY credit_wire TO %L WITH (FORMAT binary)', path);
    EXECUTE format('COPY credit_copy2 FROM %L WITH (FORMAT binary)', path);
    RETURN (SELECT block::text FROM credit_copy2);
EXCEPTION WHEN invalid_binary_representation THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ' ' || SQLERRM || ': ' || detail;
END;
$$;
SELECT what, pg_temp.recv_credit(w, :'path') AS result
FROM (VALUES
    ('valid', '\x0100000000000f424100000000000f462807e4035341490245520746303030313233'::bytea),
    ('empty', '\x'),
    ('version 2', '\x0200000000000f424100000000000f462807e4035341490245520746303030313233'),
    ('truncated', '\x0100000000000f424100000000000f462807e4035341490245520746303030'),
    ('truncated header', '\x0100000000000f424100000000000f4628'),
    ('trailing byte', '\x0100000000000f424100000000000f462807e403534149024552074630303031323300'),
    ('lower-case origin', '\x0100000000000f424100000000000f462807e4037361690245520746303030313233'),
    ('empty kind', '\x0100000000000f424100000000000f462807e403534149000746303030313233'),
    ('reversed serials', '\x0100000000000f462800000000000f424107e4035341490245520746303030313233'),
    ('serial 0', '\x010000000000000000000000000000000107e4035341490245520746303030313233'),
    ('vintage 1000', '\x0100000000000f424100000000000f462803e8035341490245520746303030313233')
) AS t(what, w);

-- Malformed text: 22P02 with a detail naming the field.
SELECT ''::credit;
SELECT '   '::credit;
SELECT 'SAI/ER/FY2020/F1'::credit;
SELECT 'SAI/ER/FY2020/F1/1-10/x'::credit;
SELECT '/ER/FY2020/F1/1-10'::credit;
SELECT 'sai/ER/FY2020/F1/1-10'::credit;
SELECT 'SAITAMAPREF/ER/FY2020/F1/1-10'::credit;
SELECT 'SAI/E-R/FY2020/F1/1-10'::credit;
SELECT 'SAI/ER//F1/1-10'::credit;
SELECT 'SAI/ER/ FY2020/F1/1-10'::credit;
SELECT 'SAI/ER/FY20x0/F1/1-10'::credit;
SELECT 'SAI/ER/FY2020/F 1/1-10'::credit;
SELECT 'SAI/ER/FY2020/事業所/1-10'::credit;
SELECT 'SAI/ER/FY2020/abcdefghijklmnopqrstuvwxyz0123456/1-10'::credit;
SELECT 'SAI/ER/FY2020/F1/'::credit;
SELECT 'SAI/ER/FY2020/F1/100'::credit;
SELECT 'SAI/ER/FY2020/F1/-10'::credit;
SELECT 'SAI/ER/FY2020/F1/1-'::credit;
SELECT 'SAI/ER/FY2020/F1/1-+10'::credit;
SELECT 'SAI/ER/FY2020/F1/1 - 10'::credit;
SELECT 'SAI/ER/FY2020/F1/10-1'::credit;
-- Out of range: 22003.
SELECT 'SAI/ER/FY2020/F1/0-10'::credit;
SELECT 'SAI/ER/FY2020/F1/1-1000000000000000'::credit;
SELECT 'SAI/ER/FY2020/F1/99999999999999999999999-1'::credit;
SELECT 'SAI/ER/FY10000/F1/1-10'::credit;

DROP TABLE credit_holding, credit_order, credit_copy, credit_copy2, credit_wire;
