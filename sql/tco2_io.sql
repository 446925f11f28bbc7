--
-- tco2 text input and output (SPEC §2.1): every accepted form, the canonical
-- output, and every malformed, too precise or out-of-range input with its
-- message.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tsetp;
RESET client_min_messages;
\set VERBOSITY default
SET search_path = tsetp, public;

-- Canonical output: tonnes, shortest exact form.
SELECT x::tco2 AS out
FROM (VALUES ('8523.4'), ('-12'), ('0.001'), ('-0.5'), ('0'), ('-0'), ('+7'),
             ('12.000'), ('0.010'), ('1.0000000'), ('007.50')) v(x);

-- Thousands separators, surrounding white space, optional unit and spaces.
SELECT x AS input, x::tco2 AS out
FROM (VALUES ('1,234.5'), ('1,234,567.5'), ('-1,000'), ('123,456'),
             ('  1234.5  '), (E'\t1234.5\n'), ('1234.5 t'), ('1234.5t'),
             ('1234.5 t-CO2'), ('1234.5 t-CO₂'), ('1234.5 tCO2'),
             ('1234.5 tCO₂'), ('1234.5  t-CO2 '), ('500 kg'), ('500kg'),
             ('1,500 kg'), ('500.000 kg'), ('500 kg-CO2'), ('12 kt'),
             ('12.345678 kt'), ('3 Mt'), ('0.000000001 Mt'), ('-2.5 Mt-CO₂'),
             ('.5'), ('5.'), ('-.25 t')) v(x);

-- Extremes: the whole int64 range of kilograms.
SELECT '9223372036854775.807'::tco2 AS max, '-9223372036854775.808'::tco2 AS min;
SELECT '9223372036854775807 kg'::tco2 AS max_kg,
       '-9223372036854775808 kg'::tco2 AS min_kg;
SELECT '000000000000000000000000001'::tco2 AS leading_zeros;

-- Output round-trips through input.
SELECT x::tco2::text::tco2 = x::tco2 AS round_trip
FROM (VALUES ('9223372036854775.807'), ('-9223372036854775.808'), ('0.001'),
             ('-0.001'), ('123.45')) v(x);

-- Malformed input: 22P02 with the exact fault in DETAIL.
SELECT ''::tco2;
SELECT '   '::tco2;
SELECT '-'::tco2;
SELECT '+'::tco2;
SELECT '.'::tco2;
SELECT 't'::tco2;
SELECT 'abc'::tco2;
SELECT '- 5'::tco2;
SELECT '1.2.3'::tco2;
SELECT '1 2'::tco2;
SELECT '1e3'::tco2;
SELECT 'NaN'::tco2;
SELECT 'Infinity'::tco2;
SELECT '12 xyz'::tco2;
SELECT '12 T'::tco2;
SELECT '12 mt'::tco2;
SELECT '12 t-'::tco2;
SELECT '12 t-co2'::tco2;
SELECT '12 t CO2'::tco2;
SELECT '12 kg kg'::tco2;
SELECT '12 this unit name is far too long to quote in full'::tco2;
SELECT '１２'::tco2;
-- thousands separators must form proper groups of three
SELECT '1,23'::tco2;
SELECT '1,2345'::tco2;
SELECT '1234,567'::tco2;
SELECT ',123'::tco2;
SELECT '1,,234'::tco2;
SELECT '1,'::tco2;
SELECT '1,234,56'::tco2;
SELECT '1.234,5'::tco2;
SELECT '1,234.567,8'::tco2;

-- Finer than 0.001 t: an error, never rounded (22P02).
SELECT '1.0005'::tco2;
SELECT '-0.0001'::tco2;
SELECT '0.5 kg'::tco2;
SELECT '1.0000001 kt'::tco2;
SELECT '1.0000000001 Mt'::tco2;
SELECT '0.00000000000000000000000000000000000000000000000000000000000000000000001'::tco2;
-- trailing zeros below 0.001 t are exact and accepted
SELECT '1.000000000'::tco2 AS t, '2.000 kg'::tco2 AS kg,
       '1.000000000 kt'::tco2 AS kt, '1.000000000000 Mt'::tco2 AS mt;

-- Out of range: 22003.
SELECT '9223372036854775.808'::tco2;
SELECT '-9223372036854775.809'::tco2;
SELECT '9223372036854775808 kg'::tco2;
SELECT '9223372036854776 t'::tco2;
SELECT '9223372036 Mt'::tco2 AS in_range;
SELECT '9223372037 Mt'::tco2;
SELECT '99999999999999999999999999999999'::tco2;

-- Binary send/receive are int8's: a big-endian count of kilograms.
SELECT tco2_send('1.5') AS send, tco2_send('-0.001') AS send_negative;
