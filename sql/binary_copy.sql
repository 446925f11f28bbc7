-- Binary COPY round trip of every tsetp type, and binary input that is
-- truncated, out of range or garbage (recv re-validates everything).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tsetp;
RESET client_min_messages;
SET search_path = tsetp, public;
SELECT '/tmp/tsetp_binary_copy_' || pg_backend_pid() || '.bin' AS path \gset

CREATE TABLE bc_src (a tco2, y fiscal_year, p fiscal_period, c credit);
INSERT INTO bc_src VALUES
    ('8523.4', 'FY2020', 'FY2020-FY2024', 'SAI/ER/FY2020/F000123/1000001-1001000'),
    ('-12', '平成27年度', 'H27-R1', 'TKY/OUT/R2/P-77/5-5'),
    ('0.001', '1868', '1868-9999', 'JV/jCER/FY2008/JV.0001/1-999999999999999'),
    ('-9223372036854775.808 t', 'FY9999', 'FY2011-FY2014', 'SAI/OG/FY2011/F9/42-43'),
    (NULL, NULL, NULL, NULL);
COPY bc_src TO :'path' (FORMAT binary);
CREATE TABLE bc_dst (LIKE bc_src);
COPY bc_dst FROM :'path' (FORMAT binary);
SELECT * FROM bc_dst;
SELECT count(*) AS rows_that_differ
  FROM (SELECT * FROM bc_src EXCEPT ALL SELECT * FROM bc_dst) d;

-- Crafted wire bytes: a bytea column is written out raw in binary COPY, so
-- reading the file into a typed column hands exactly these bytes to recv.
CREATE TABLE bc_raw (b bytea);
CREATE FUNCTION pg_temp.try_recv(typ text, payload bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    path text := '/tmp/tsetp_binary_copy_raw_' || pg_backend_pid() || '.bin';
    res text;
BEGIN
    TRUNCATE bc_raw;
    INSERT INTO bc_raw VALUES (payload);
    EXECUTE format('COPY bc_raw TO %L (FORMAT binary)', path);
    EXECUTE format('CREATE TEMP TABLE bc_typed (v %s)', typ);
    BEGIN
        EXECUTE format('COPY bc_typed FROM %L (FORMAT binary)', path);
        SELECT v::text INTO res FROM bc_typed;
    EXCEPTION WHEN OTHERS THEN
        res := 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
    END;
    DROP TABLE bc_typed;
    RETURN res;
END
$$;

SELECT t.typ, t.what, pg_temp.try_recv(t.typ, t.payload) AS result
  FROM (VALUES
    ('tco2', 'eight bytes', '\x00000000000020ef'::bytea),
    ('tco2', 'four bytes', '\x000020ef'),
    ('fiscal_year', 'FY2020', '\x07e4'),
    ('fiscal_year', 'year 1867', '\x074b'),
    ('fiscal_year', 'year 10000', '\x2710'),
    ('fiscal_year', 'one byte', '\x07'),
    ('fiscal_period', 'FY2020-FY2024', '\x07e407e8'),
    ('fiscal_period', 'reversed', '\x07e807e4'),
    ('fiscal_period', 'three bytes', '\x07e407'),
    ('credit', 'empty', '\x'),
    ('credit', 'unknown version', '\xff'),
    ('credit', 'truncated', (SELECT substr(tsetp.credit_send('SAI/ER/FY2020/F000123/1000001-1001000'), 1, 12))),
    ('credit', 'trailing byte', (SELECT tsetp.credit_send('SAI/ER/FY2020/F000123/1000001-1001000') || '\x00'::bytea)),
    ('credit', 'valid', (SELECT tsetp.credit_send('SAI/ER/FY2020/F000123/1000001-1001000')))
  ) AS t(typ, what, payload);

DROP TABLE bc_src, bc_dst, bc_raw;
