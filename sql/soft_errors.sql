--
-- Soft input errors (PostgreSQL 16 and later; the Makefile adds this test
-- only there): every base type of the extension reports bad text through
-- the error context of pg_input_is_valid and pg_input_error_info instead of
-- throwing, with the same SQLSTATE, message and detail as the hard error.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tsetp;
SET search_path = tsetp, public;

-- The extension's base types, from the catalogue: a new type is covered.
CREATE TEMP TABLE ext_type AS
SELECT t.oid::regtype::text AS typ
  FROM pg_type t
  JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'tsetp')
   AND t.typtype = 'b' AND t.typcategory <> 'A';
SELECT typ FROM ext_type ORDER BY typ;

-- Garbage is refused softly by every one of them (no error escapes).
SELECT typ, pg_input_is_valid('#garbage#', typ) AS valid,
       (pg_input_error_info('#garbage#', typ)).sql_error_code
  FROM ext_type ORDER BY typ;

-- Valid and invalid text of each type: syntax (22P02), range (22003) and
-- meaning (22000) all come back as data, as the hard error would read.
SELECT typ, input, pg_input_is_valid(input, typ) AS valid, e.sql_error_code, e.message, e.detail
  FROM (VALUES ('tco2', '1,234.5 t'), ('tco2', '12 kt'), ('tco2', '1.2345 t'),
               ('tco2', '99999999999999999 t'), ('tco2', 'ten t'),
               ('fiscal_year', 'FY2020'), ('fiscal_year', '1867'), ('fiscal_year', 'FY20x'),
               ('fiscal_period', 'FY2020-FY2024'), ('fiscal_period', 'FY2024-FY2020'), ('fiscal_period', '-FY2024'),
               ('credit', 'SAI/ER/FY2020/F000123/1000001-1001000'), ('credit', '/ER/FY2020/F1/1-10'),
               ('credit', 'SAI/ER/FY2020/F1/10-1'),
               ('serial_span', '[1,1000]'), ('serial_span', '[7,5]'), ('serial_span', '[1,')) v(typ, input),
       LATERAL pg_input_error_info(input, typ) e
 ORDER BY typ, input;

-- A soft error is the same error a cast throws.
SELECT 'ten t'::tco2;
SELECT '[7,5]'::serial_span;

-- COPY still refuses bad text as before (soft errors only where asked for).
CREATE TEMP TABLE soft_t (a tco2);
COPY soft_t FROM stdin;
1 t
ten t
\.
SELECT count(*) FROM soft_t;
