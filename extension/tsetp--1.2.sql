-- tsetp: install script, assembled from extension/sql/*.sql in name order.
\echo Use "CREATE EXTENSION tsetp" to load this file. \quit


-- tco2: an exact amount of CO2, resolution 0.001 t (SPEC §2.1). Held by value
-- as an int64 count of milli-tonnes (kilograms), like int8; comparison,
-- hashing, sort support and binary I/O reuse core int8 functions.

CREATE TYPE tsetp.tco2;

CREATE FUNCTION tsetp.tco2_in(cstring) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_out(tsetp.tco2) RETURNS cstring
    AS 'MODULE_PATHNAME', 'tco2_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_recv(internal) RETURNS tsetp.tco2
    AS 'int8recv'
    LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_send(tsetp.tco2) RETURNS bytea
    AS 'int8send'
    LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE tsetp.tco2 (
    INPUT = tsetp.tco2_in,
    OUTPUT = tsetp.tco2_out,
    RECEIVE = tsetp.tco2_recv,
    SEND = tsetp.tco2_send,
    INTERNALLENGTH = 8,
    PASSEDBYVALUE,
    ALIGNMENT = double,
    STORAGE = plain,
    CATEGORY = 'N',
    PREFERRED = false
);

COMMENT ON TYPE tsetp.tco2 IS
    'An exact amount of CO2, resolution 0.001 t (1 kg); text in tonnes: 8523.4, -12, 0.001; input also takes 1,234.5, 1234.5 t, t-CO2, t-CO₂, tCO2, 500 kg, 12 kt, 3 Mt';
COMMENT ON FUNCTION tsetp.tco2_in(cstring) IS
    'Text input of tco2: tonnes by default, or kg, kt, Mt; a digit finer than 0.001 t is an error';
COMMENT ON FUNCTION tsetp.tco2_out(tsetp.tco2) IS
    'Text output of tco2: tonnes, shortest exact form';
COMMENT ON FUNCTION tsetp.tco2_recv(internal) IS
    'Binary input of tco2: a big-endian int64 of milli-tonnes (kg)';
COMMENT ON FUNCTION tsetp.tco2_send(tsetp.tco2) IS
    'Binary output of tco2: a big-endian int64 of milli-tonnes (kg)';

-- Comparison: core int8 functions, which cannot fail (LEAKPROOF).

CREATE FUNCTION tsetp.tco2_eq(tsetp.tco2, tsetp.tco2) RETURNS boolean
    AS 'int8eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.tco2_ne(tsetp.tco2, tsetp.tco2) RETURNS boolean
    AS 'int8ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.tco2_lt(tsetp.tco2, tsetp.tco2) RETURNS boolean
    AS 'int8lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.tco2_le(tsetp.tco2, tsetp.tco2) RETURNS boolean
    AS 'int8le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.tco2_gt(tsetp.tco2, tsetp.tco2) RETURNS boolean
    AS 'int8gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.tco2_ge(tsetp.tco2, tsetp.tco2) RETURNS boolean
    AS 'int8ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.tco2_cmp(tsetp.tco2, tsetp.tco2) RETURNS integer
    AS 'btint8cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.tco2_sortsupport(internal) RETURNS void
    AS 'btint8sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_hash(tsetp.tco2) RETURNS integer
    AS 'hashint8' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.tco2_hash_extended(tsetp.tco2, bigint) RETURNS bigint
    AS 'hashint8extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

COMMENT ON FUNCTION tsetp.tco2_eq(tsetp.tco2, tsetp.tco2) IS 'implementation of = for tco2';
COMMENT ON FUNCTION tsetp.tco2_ne(tsetp.tco2, tsetp.tco2) IS 'implementation of <> for tco2';
COMMENT ON FUNCTION tsetp.tco2_lt(tsetp.tco2, tsetp.tco2) IS 'implementation of < for tco2';
COMMENT ON FUNCTION tsetp.tco2_le(tsetp.tco2, tsetp.tco2) IS 'implementation of <= for tco2';
COMMENT ON FUNCTION tsetp.tco2_gt(tsetp.tco2, tsetp.tco2) IS 'implementation of > for tco2';
COMMENT ON FUNCTION tsetp.tco2_ge(tsetp.tco2, tsetp.tco2) IS 'implementation of >= for tco2';
COMMENT ON FUNCTION tsetp.tco2_cmp(tsetp.tco2, tsetp.tco2) IS 'btree comparison function of tco2: -1, 0 or 1';
COMMENT ON FUNCTION tsetp.tco2_sortsupport(internal) IS 'btree sort support of tco2';
COMMENT ON FUNCTION tsetp.tco2_hash(tsetp.tco2) IS 'hash function of tco2';
COMMENT ON FUNCTION tsetp.tco2_hash_extended(tsetp.tco2, bigint) IS 'seeded 64-bit hash function of tco2';

CREATE OPERATOR tsetp.= (
    LEFTARG = tsetp.tco2, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.tco2_eq,
    COMMUTATOR = OPERATOR(tsetp.=), NEGATOR = OPERATOR(tsetp.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR tsetp.<> (
    LEFTARG = tsetp.tco2, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.tco2_ne,
    COMMUTATOR = OPERATOR(tsetp.<>), NEGATOR = OPERATOR(tsetp.=),
    RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR tsetp.< (
    LEFTARG = tsetp.tco2, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.tco2_lt,
    COMMUTATOR = OPERATOR(tsetp.>), NEGATOR = OPERATOR(tsetp.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR tsetp.<= (
    LEFTARG = tsetp.tco2, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.tco2_le,
    COMMUTATOR = OPERATOR(tsetp.>=), NEGATOR = OPERATOR(tsetp.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR tsetp.> (
    LEFTARG = tsetp.tco2, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.tco2_gt,
    COMMUTATOR = OPERATOR(tsetp.<), NEGATOR = OPERATOR(tsetp.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR tsetp.>= (
    LEFTARG = tsetp.tco2, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.tco2_ge,
    COMMUTATOR = OPERATOR(tsetp.<=), NEGATOR = OPERATOR(tsetp.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);

COMMENT ON OPERATOR tsetp.= (tsetp.tco2, tsetp.tco2) IS 'equal';
COMMENT ON OPERATOR tsetp.<> (tsetp.tco2, tsetp.tco2) IS 'not equal';
COMMENT ON OPERATOR tsetp.< (tsetp.tco2, tsetp.tco2) IS 'less than';
COMMENT ON OPERATOR tsetp.<= (tsetp.tco2, tsetp.tco2) IS 'less than or equal';
COMMENT ON OPERATOR tsetp.> (tsetp.tco2, tsetp.tco2) IS 'greater than';
COMMENT ON OPERATOR tsetp.>= (tsetp.tco2, tsetp.tco2) IS 'greater than or equal';

CREATE OPERATOR CLASS tsetp.tco2_ops
    DEFAULT FOR TYPE tsetp.tco2 USING btree AS
        OPERATOR 1 tsetp.< ,
        OPERATOR 2 tsetp.<= ,
        OPERATOR 3 tsetp.= ,
        OPERATOR 4 tsetp.>= ,
        OPERATOR 5 tsetp.> ,
        FUNCTION 1 tsetp.tco2_cmp(tsetp.tco2, tsetp.tco2),
        FUNCTION 2 tsetp.tco2_sortsupport(internal),
        FUNCTION 4 pg_catalog.btequalimage(oid);

CREATE OPERATOR CLASS tsetp.tco2_hash_ops
    DEFAULT FOR TYPE tsetp.tco2 USING hash AS
        OPERATOR 1 tsetp.= ,
        FUNCTION 1 tsetp.tco2_hash(tsetp.tco2),
        FUNCTION 2 tsetp.tco2_hash_extended(tsetp.tco2, bigint);

COMMENT ON OPERATOR CLASS tsetp.tco2_ops USING btree IS 'default btree operator class of tco2';
COMMENT ON OPERATOR CLASS tsetp.tco2_hash_ops USING hash IS 'default hash operator class of tco2';

-- Arithmetic: overflow-checked (22003 "tco2 out of range"); a product or
-- quotient between two thousandths of a tonne rounds half away from zero.

CREATE FUNCTION tsetp.tco2_pl(tsetp.tco2, tsetp.tco2) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_pl' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_mi(tsetp.tco2, tsetp.tco2) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_mi' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_um(tsetp.tco2) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_um' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_mul_int4(tsetp.tco2, integer) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_mul_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.int4_mul_tco2(integer, tsetp.tco2) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'int4_mul_tco2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_mul_int8(tsetp.tco2, bigint) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_mul_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.int8_mul_tco2(bigint, tsetp.tco2) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'int8_mul_tco2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_mul_numeric(tsetp.tco2, numeric) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_mul_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.numeric_mul_tco2(numeric, tsetp.tco2) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'numeric_mul_tco2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_div_int4(tsetp.tco2, integer) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_div_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_div_int8(tsetp.tco2, bigint) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_div_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_div_numeric(tsetp.tco2, numeric) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_div_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_div_tco2(tsetp.tco2, tsetp.tco2) RETURNS numeric
    AS 'MODULE_PATHNAME', 'tco2_div_tco2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tsetp.tco2_pl(tsetp.tco2, tsetp.tco2) IS 'implementation of + for tco2, overflow-checked';
COMMENT ON FUNCTION tsetp.tco2_mi(tsetp.tco2, tsetp.tco2) IS 'implementation of - for tco2, overflow-checked';
COMMENT ON FUNCTION tsetp.tco2_um(tsetp.tco2) IS 'implementation of unary - for tco2, overflow-checked';
COMMENT ON FUNCTION tsetp.tco2_mul_int4(tsetp.tco2, integer) IS 'implementation of tco2 * integer, overflow-checked';
COMMENT ON FUNCTION tsetp.int4_mul_tco2(integer, tsetp.tco2) IS 'implementation of integer * tco2, overflow-checked';
COMMENT ON FUNCTION tsetp.tco2_mul_int8(tsetp.tco2, bigint) IS 'implementation of tco2 * bigint, overflow-checked';
COMMENT ON FUNCTION tsetp.int8_mul_tco2(bigint, tsetp.tco2) IS 'implementation of bigint * tco2, overflow-checked';
COMMENT ON FUNCTION tsetp.tco2_mul_numeric(tsetp.tco2, numeric) IS 'implementation of tco2 * numeric: exact, rounded half away from zero to 0.001 t';
COMMENT ON FUNCTION tsetp.numeric_mul_tco2(numeric, tsetp.tco2) IS 'implementation of numeric * tco2: exact, rounded half away from zero to 0.001 t';
COMMENT ON FUNCTION tsetp.tco2_div_int4(tsetp.tco2, integer) IS 'implementation of tco2 / integer, rounded half away from zero to 0.001 t';
COMMENT ON FUNCTION tsetp.tco2_div_int8(tsetp.tco2, bigint) IS 'implementation of tco2 / bigint, rounded half away from zero to 0.001 t';
COMMENT ON FUNCTION tsetp.tco2_div_numeric(tsetp.tco2, numeric) IS 'implementation of tco2 / numeric, rounded half away from zero to 0.001 t';
COMMENT ON FUNCTION tsetp.tco2_div_tco2(tsetp.tco2, tsetp.tco2) IS 'implementation of tco2 / tco2: the ratio as numeric division gives it';

CREATE OPERATOR tsetp.+ (
    LEFTARG = tsetp.tco2, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.tco2_pl,
    COMMUTATOR = OPERATOR(tsetp.+)
);
CREATE OPERATOR tsetp.- (
    LEFTARG = tsetp.tco2, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.tco2_mi
);
CREATE OPERATOR tsetp.- (
    RIGHTARG = tsetp.tco2, FUNCTION = tsetp.tco2_um
);
CREATE OPERATOR tsetp.* (
    LEFTARG = tsetp.tco2, RIGHTARG = integer, FUNCTION = tsetp.tco2_mul_int4,
    COMMUTATOR = OPERATOR(tsetp.*)
);
CREATE OPERATOR tsetp.* (
    LEFTARG = integer, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.int4_mul_tco2,
    COMMUTATOR = OPERATOR(tsetp.*)
);
CREATE OPERATOR tsetp.* (
    LEFTARG = tsetp.tco2, RIGHTARG = bigint, FUNCTION = tsetp.tco2_mul_int8,
    COMMUTATOR = OPERATOR(tsetp.*)
);
CREATE OPERATOR tsetp.* (
    LEFTARG = bigint, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.int8_mul_tco2,
    COMMUTATOR = OPERATOR(tsetp.*)
);
CREATE OPERATOR tsetp.* (
    LEFTARG = tsetp.tco2, RIGHTARG = numeric, FUNCTION = tsetp.tco2_mul_numeric,
    COMMUTATOR = OPERATOR(tsetp.*)
);
CREATE OPERATOR tsetp.* (
    LEFTARG = numeric, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.numeric_mul_tco2,
    COMMUTATOR = OPERATOR(tsetp.*)
);
CREATE OPERATOR tsetp./ (
    LEFTARG = tsetp.tco2, RIGHTARG = integer, FUNCTION = tsetp.tco2_div_int4
);
CREATE OPERATOR tsetp./ (
    LEFTARG = tsetp.tco2, RIGHTARG = bigint, FUNCTION = tsetp.tco2_div_int8
);
CREATE OPERATOR tsetp./ (
    LEFTARG = tsetp.tco2, RIGHTARG = numeric, FUNCTION = tsetp.tco2_div_numeric
);
CREATE OPERATOR tsetp./ (
    LEFTARG = tsetp.tco2, RIGHTARG = tsetp.tco2, FUNCTION = tsetp.tco2_div_tco2
);

COMMENT ON OPERATOR tsetp.+ (tsetp.tco2, tsetp.tco2) IS 'add, overflow-checked';
COMMENT ON OPERATOR tsetp.- (tsetp.tco2, tsetp.tco2) IS 'subtract, overflow-checked';
COMMENT ON OPERATOR tsetp.- (NONE, tsetp.tco2) IS 'negate';
COMMENT ON OPERATOR tsetp.* (tsetp.tco2, integer) IS 'multiply, overflow-checked';
COMMENT ON OPERATOR tsetp.* (integer, tsetp.tco2) IS 'multiply, overflow-checked';
COMMENT ON OPERATOR tsetp.* (tsetp.tco2, bigint) IS 'multiply, overflow-checked';
COMMENT ON OPERATOR tsetp.* (bigint, tsetp.tco2) IS 'multiply, overflow-checked';
COMMENT ON OPERATOR tsetp.* (tsetp.tco2, numeric) IS 'multiply by a rate or factor, exactly, rounded half away from zero to 0.001 t';
COMMENT ON OPERATOR tsetp.* (numeric, tsetp.tco2) IS 'multiply by a rate or factor, exactly, rounded half away from zero to 0.001 t';
COMMENT ON OPERATOR tsetp./ (tsetp.tco2, integer) IS 'divide, rounded half away from zero to 0.001 t';
COMMENT ON OPERATOR tsetp./ (tsetp.tco2, bigint) IS 'divide, rounded half away from zero to 0.001 t';
COMMENT ON OPERATOR tsetp./ (tsetp.tco2, numeric) IS 'divide, rounded half away from zero to 0.001 t';
COMMENT ON OPERATOR tsetp./ (tsetp.tco2, tsetp.tco2) IS 'ratio of two amounts, as numeric';

-- Conversions and functions.

CREATE FUNCTION tsetp.tonnes(tsetp.tco2) RETURNS numeric
    AS 'MODULE_PATHNAME', 'tco2_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2(numeric) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'numeric_tco2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2(integer) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'int4_tco2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2(bigint) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'int8_tco2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.kg(tsetp.tco2) RETURNS bigint
    AS 'MODULE_PATHNAME', 'tco2_kg' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.abs(tsetp.tco2) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_abs' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_smaller(tsetp.tco2, tsetp.tco2) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_smaller' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_larger(tsetp.tco2, tsetp.tco2) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_larger' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tsetp.tonnes(tsetp.tco2) IS
    'The amount in tonnes as numeric, shortest exact scale (8523.4, 12); the same as the cast to numeric';
COMMENT ON FUNCTION tsetp.tco2(numeric) IS
    'Cast numeric tonnes to tco2: exact; a digit finer than 0.001 t is an error, never rounded';
COMMENT ON FUNCTION tsetp.tco2(integer) IS 'Cast whole tonnes to tco2';
COMMENT ON FUNCTION tsetp.tco2(bigint) IS 'Cast whole tonnes to tco2, overflow-checked';
COMMENT ON FUNCTION tsetp.kg(tsetp.tco2) IS
    'The amount in kilograms (milli-tonnes), the raw count tco2 holds';
COMMENT ON FUNCTION tsetp.abs(tsetp.tco2) IS 'Absolute value of an amount';
COMMENT ON FUNCTION tsetp.tco2_smaller(tsetp.tco2, tsetp.tco2) IS
    'The smaller of two amounts (step function of min)';
COMMENT ON FUNCTION tsetp.tco2_larger(tsetp.tco2, tsetp.tco2) IS
    'The larger of two amounts (step function of max)';

CREATE CAST (numeric AS tsetp.tco2)
    WITH FUNCTION tsetp.tco2(numeric) AS ASSIGNMENT;
CREATE CAST (tsetp.tco2 AS numeric)
    WITH FUNCTION tsetp.tonnes(tsetp.tco2) AS ASSIGNMENT;
CREATE CAST (integer AS tsetp.tco2)
    WITH FUNCTION tsetp.tco2(integer) AS ASSIGNMENT;
CREATE CAST (bigint AS tsetp.tco2)
    WITH FUNCTION tsetp.tco2(bigint) AS ASSIGNMENT;

COMMENT ON CAST (numeric AS tsetp.tco2) IS 'tonnes; finer than 0.001 t is an error (22P02), never rounded';
COMMENT ON CAST (tsetp.tco2 AS numeric) IS 'tonnes, shortest exact scale';
COMMENT ON CAST (integer AS tsetp.tco2) IS 'whole tonnes';
COMMENT ON CAST (bigint AS tsetp.tco2) IS 'whole tonnes, overflow-checked';

-- Aggregates: all parallel safe with combine functions.

CREATE AGGREGATE tsetp.sum(tsetp.tco2) (
    SFUNC = tsetp.tco2_pl,
    STYPE = tsetp.tco2,
    COMBINEFUNC = tsetp.tco2_pl,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE tsetp.sum(tsetp.tco2) IS
    'Sum of amounts, overflow-checked; NULL when there are no rows';

CREATE AGGREGATE tsetp.min(tsetp.tco2) (
    SFUNC = tsetp.tco2_smaller,
    STYPE = tsetp.tco2,
    COMBINEFUNC = tsetp.tco2_smaller,
    SORTOP = OPERATOR(tsetp.<),
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE tsetp.min(tsetp.tco2) IS 'Smallest amount';

CREATE AGGREGATE tsetp.max(tsetp.tco2) (
    SFUNC = tsetp.tco2_larger,
    STYPE = tsetp.tco2,
    COMBINEFUNC = tsetp.tco2_larger,
    SORTOP = OPERATOR(tsetp.>),
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE tsetp.max(tsetp.tco2) IS 'Largest amount';

CREATE FUNCTION tsetp.tco2_avg_accum(internal, tsetp.tco2) RETURNS internal
    AS 'MODULE_PATHNAME', 'tco2_avg_accum'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_avg_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'tco2_avg_combine'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_avg_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'tco2_avg_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_avg_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'tco2_avg_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.tco2_avg_final(internal) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tco2_avg_final'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

COMMENT ON FUNCTION tsetp.tco2_avg_accum(internal, tsetp.tco2) IS 'step function of avg(tco2)';
COMMENT ON FUNCTION tsetp.tco2_avg_combine(internal, internal) IS 'combine function of avg(tco2)';
COMMENT ON FUNCTION tsetp.tco2_avg_serialize(internal) IS 'serial function of avg(tco2)';
COMMENT ON FUNCTION tsetp.tco2_avg_deserialize(bytea, internal) IS 'deserial function of avg(tco2)';
COMMENT ON FUNCTION tsetp.tco2_avg_final(internal) IS 'final function of avg(tco2): rounds half away from zero to 0.001 t';

CREATE AGGREGATE tsetp.avg(tsetp.tco2) (
    SFUNC = tsetp.tco2_avg_accum,
    STYPE = internal,
    SSPACE = 32,
    COMBINEFUNC = tsetp.tco2_avg_combine,
    SERIALFUNC = tsetp.tco2_avg_serialize,
    DESERIALFUNC = tsetp.tco2_avg_deserialize,
    FINALFUNC = tsetp.tco2_avg_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE tsetp.avg(tsetp.tco2) IS
    'Average of amounts, exact (128-bit sum), rounded half away from zero to 0.001 t; NULL when there are no rows';

-- ---------------------------------------------------------------------------
-- fiscal_year: a Japanese fiscal year (FY N = 1 April N to 31 March N+1),
-- stored by value as int2.  Comparison, hashing and sorting are the core int2
-- functions; text and binary input validate the range FY1868..FY9999.
-- ---------------------------------------------------------------------------

CREATE TYPE tsetp.fiscal_year;

CREATE FUNCTION tsetp.fiscal_year_in(cstring) RETURNS tsetp.fiscal_year
	AS 'MODULE_PATHNAME', 'fiscal_year_in'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fiscal_year_out(tsetp.fiscal_year) RETURNS cstring
	AS 'MODULE_PATHNAME', 'fiscal_year_out'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fiscal_year_recv(internal) RETURNS tsetp.fiscal_year
	AS 'MODULE_PATHNAME', 'fiscal_year_recv'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fiscal_year_send(tsetp.fiscal_year) RETURNS bytea
	AS 'int2send'
	LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE tsetp.fiscal_year (
	INPUT = tsetp.fiscal_year_in,
	OUTPUT = tsetp.fiscal_year_out,
	RECEIVE = tsetp.fiscal_year_recv,
	SEND = tsetp.fiscal_year_send,
	INTERNALLENGTH = 2,
	PASSEDBYVALUE,
	ALIGNMENT = int2,
	STORAGE = plain
);
COMMENT ON TYPE tsetp.fiscal_year IS
	'Japanese fiscal year FY N (1 April N to 31 March N+1), FY1868 to FY9999; text FY2020, input also 2020, 2020年度, R2, H27, 令和2年度, 令和元年度';

-- comparisons (core int2 functions; they cannot fail)
CREATE FUNCTION tsetp.fiscal_year_eq(tsetp.fiscal_year, tsetp.fiscal_year) RETURNS boolean
	AS 'int2eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_year_ne(tsetp.fiscal_year, tsetp.fiscal_year) RETURNS boolean
	AS 'int2ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_year_lt(tsetp.fiscal_year, tsetp.fiscal_year) RETURNS boolean
	AS 'int2lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_year_le(tsetp.fiscal_year, tsetp.fiscal_year) RETURNS boolean
	AS 'int2le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_year_gt(tsetp.fiscal_year, tsetp.fiscal_year) RETURNS boolean
	AS 'int2gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_year_ge(tsetp.fiscal_year, tsetp.fiscal_year) RETURNS boolean
	AS 'int2ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_year_cmp(tsetp.fiscal_year, tsetp.fiscal_year) RETURNS integer
	AS 'btint2cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_year_hash(tsetp.fiscal_year) RETURNS integer
	AS 'hashint2' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_year_hash_extended(tsetp.fiscal_year, bigint) RETURNS bigint
	AS 'hashint2extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_year_smaller(tsetp.fiscal_year, tsetp.fiscal_year) RETURNS tsetp.fiscal_year
	AS 'int2smaller' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fiscal_year_larger(tsetp.fiscal_year, tsetp.fiscal_year) RETURNS tsetp.fiscal_year
	AS 'int2larger' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tsetp.fiscal_year_eq(tsetp.fiscal_year, tsetp.fiscal_year) IS 'equal';
COMMENT ON FUNCTION tsetp.fiscal_year_ne(tsetp.fiscal_year, tsetp.fiscal_year) IS 'not equal';
COMMENT ON FUNCTION tsetp.fiscal_year_lt(tsetp.fiscal_year, tsetp.fiscal_year) IS 'earlier than';
COMMENT ON FUNCTION tsetp.fiscal_year_le(tsetp.fiscal_year, tsetp.fiscal_year) IS 'earlier than or equal';
COMMENT ON FUNCTION tsetp.fiscal_year_gt(tsetp.fiscal_year, tsetp.fiscal_year) IS 'later than';
COMMENT ON FUNCTION tsetp.fiscal_year_ge(tsetp.fiscal_year, tsetp.fiscal_year) IS 'later than or equal';
COMMENT ON FUNCTION tsetp.fiscal_year_cmp(tsetp.fiscal_year, tsetp.fiscal_year) IS 'btree comparison: -1, 0 or 1';
COMMENT ON FUNCTION tsetp.fiscal_year_hash(tsetp.fiscal_year) IS 'hash';
COMMENT ON FUNCTION tsetp.fiscal_year_hash_extended(tsetp.fiscal_year, bigint) IS 'hash with a seed';
COMMENT ON FUNCTION tsetp.fiscal_year_smaller(tsetp.fiscal_year, tsetp.fiscal_year) IS 'the earlier of two fiscal years';
COMMENT ON FUNCTION tsetp.fiscal_year_larger(tsetp.fiscal_year, tsetp.fiscal_year) IS 'the later of two fiscal years';
COMMENT ON FUNCTION tsetp.fiscal_year_in(cstring) IS 'text input of fiscal_year';
COMMENT ON FUNCTION tsetp.fiscal_year_out(tsetp.fiscal_year) IS 'text output of fiscal_year (FY2020)';
COMMENT ON FUNCTION tsetp.fiscal_year_recv(internal) IS 'binary input of fiscal_year (int2, range-checked)';
COMMENT ON FUNCTION tsetp.fiscal_year_send(tsetp.fiscal_year) IS 'binary output of fiscal_year (int2)';

CREATE OPERATOR tsetp.= (
	LEFTARG = tsetp.fiscal_year, RIGHTARG = tsetp.fiscal_year,
	FUNCTION = tsetp.fiscal_year_eq,
	COMMUTATOR = OPERATOR(tsetp.=), NEGATOR = OPERATOR(tsetp.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR tsetp.<> (
	LEFTARG = tsetp.fiscal_year, RIGHTARG = tsetp.fiscal_year,
	FUNCTION = tsetp.fiscal_year_ne,
	COMMUTATOR = OPERATOR(tsetp.<>), NEGATOR = OPERATOR(tsetp.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR tsetp.< (
	LEFTARG = tsetp.fiscal_year, RIGHTARG = tsetp.fiscal_year,
	FUNCTION = tsetp.fiscal_year_lt,
	COMMUTATOR = OPERATOR(tsetp.>), NEGATOR = OPERATOR(tsetp.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR tsetp.<= (
	LEFTARG = tsetp.fiscal_year, RIGHTARG = tsetp.fiscal_year,
	FUNCTION = tsetp.fiscal_year_le,
	COMMUTATOR = OPERATOR(tsetp.>=), NEGATOR = OPERATOR(tsetp.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR tsetp.> (
	LEFTARG = tsetp.fiscal_year, RIGHTARG = tsetp.fiscal_year,
	FUNCTION = tsetp.fiscal_year_gt,
	COMMUTATOR = OPERATOR(tsetp.<), NEGATOR = OPERATOR(tsetp.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR tsetp.>= (
	LEFTARG = tsetp.fiscal_year, RIGHTARG = tsetp.fiscal_year,
	FUNCTION = tsetp.fiscal_year_ge,
	COMMUTATOR = OPERATOR(tsetp.<=), NEGATOR = OPERATOR(tsetp.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);
COMMENT ON OPERATOR tsetp.= (tsetp.fiscal_year, tsetp.fiscal_year) IS 'equal';
COMMENT ON OPERATOR tsetp.<> (tsetp.fiscal_year, tsetp.fiscal_year) IS 'not equal';
COMMENT ON OPERATOR tsetp.< (tsetp.fiscal_year, tsetp.fiscal_year) IS 'earlier than';
COMMENT ON OPERATOR tsetp.<= (tsetp.fiscal_year, tsetp.fiscal_year) IS 'earlier than or equal';
COMMENT ON OPERATOR tsetp.> (tsetp.fiscal_year, tsetp.fiscal_year) IS 'later than';
COMMENT ON OPERATOR tsetp.>= (tsetp.fiscal_year, tsetp.fiscal_year) IS 'later than or equal';

CREATE OPERATOR CLASS tsetp.fiscal_year_ops
	DEFAULT FOR TYPE tsetp.fiscal_year USING btree AS
	OPERATOR 1 tsetp.<,
	OPERATOR 2 tsetp.<=,
	OPERATOR 3 tsetp.=,
	OPERATOR 4 tsetp.>=,
	OPERATOR 5 tsetp.>,
	FUNCTION 1 tsetp.fiscal_year_cmp(tsetp.fiscal_year, tsetp.fiscal_year),
	FUNCTION 2 pg_catalog.btint2sortsupport(internal),
	FUNCTION 4 pg_catalog.btequalimage(oid);
CREATE OPERATOR CLASS tsetp.fiscal_year_hash_ops
	DEFAULT FOR TYPE tsetp.fiscal_year USING hash AS
	OPERATOR 1 tsetp.=,
	FUNCTION 1 tsetp.fiscal_year_hash(tsetp.fiscal_year),
	FUNCTION 2 tsetp.fiscal_year_hash_extended(tsetp.fiscal_year, bigint);

CREATE AGGREGATE tsetp.min(tsetp.fiscal_year) (
	SFUNC = tsetp.fiscal_year_smaller,
	STYPE = tsetp.fiscal_year,
	COMBINEFUNC = tsetp.fiscal_year_smaller,
	SORTOP = OPERATOR(tsetp.<),
	PARALLEL = SAFE
);
CREATE AGGREGATE tsetp.max(tsetp.fiscal_year) (
	SFUNC = tsetp.fiscal_year_larger,
	STYPE = tsetp.fiscal_year,
	COMBINEFUNC = tsetp.fiscal_year_larger,
	SORTOP = OPERATOR(tsetp.>),
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE tsetp.min(tsetp.fiscal_year) IS 'the earliest fiscal year';
COMMENT ON AGGREGATE tsetp.max(tsetp.fiscal_year) IS 'the latest fiscal year';

-- arithmetic, casts, calendar
CREATE FUNCTION tsetp.fiscal_year_pl_int4(tsetp.fiscal_year, integer) RETURNS tsetp.fiscal_year
	AS 'MODULE_PATHNAME', 'fiscal_year_pl_int4'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.int4_pl_fiscal_year(integer, tsetp.fiscal_year) RETURNS tsetp.fiscal_year
	AS 'MODULE_PATHNAME', 'int4_pl_fiscal_year'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fiscal_year_mi_int4(tsetp.fiscal_year, integer) RETURNS tsetp.fiscal_year
	AS 'MODULE_PATHNAME', 'fiscal_year_mi_int4'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fiscal_year_mi(tsetp.fiscal_year, tsetp.fiscal_year) RETURNS integer
	AS 'MODULE_PATHNAME', 'fiscal_year_mi'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.fiscal_year_pl_int4(tsetp.fiscal_year, integer) IS 'the fiscal year n years later';
COMMENT ON FUNCTION tsetp.int4_pl_fiscal_year(integer, tsetp.fiscal_year) IS 'the fiscal year n years later';
COMMENT ON FUNCTION tsetp.fiscal_year_mi_int4(tsetp.fiscal_year, integer) IS 'the fiscal year n years earlier';
COMMENT ON FUNCTION tsetp.fiscal_year_mi(tsetp.fiscal_year, tsetp.fiscal_year) IS 'number of years from the second fiscal year to the first';

CREATE OPERATOR tsetp.+ (
	LEFTARG = tsetp.fiscal_year, RIGHTARG = integer,
	FUNCTION = tsetp.fiscal_year_pl_int4,
	COMMUTATOR = OPERATOR(tsetp.+)
);
CREATE OPERATOR tsetp.+ (
	LEFTARG = integer, RIGHTARG = tsetp.fiscal_year,
	FUNCTION = tsetp.int4_pl_fiscal_year,
	COMMUTATOR = OPERATOR(tsetp.+)
);
CREATE OPERATOR tsetp.- (
	LEFTARG = tsetp.fiscal_year, RIGHTARG = integer,
	FUNCTION = tsetp.fiscal_year_mi_int4
);
CREATE OPERATOR tsetp.- (
	LEFTARG = tsetp.fiscal_year, RIGHTARG = tsetp.fiscal_year,
	FUNCTION = tsetp.fiscal_year_mi
);
COMMENT ON OPERATOR tsetp.+ (tsetp.fiscal_year, integer) IS 'the fiscal year n years later';
COMMENT ON OPERATOR tsetp.+ (integer, tsetp.fiscal_year) IS 'the fiscal year n years later';
COMMENT ON OPERATOR tsetp.- (tsetp.fiscal_year, integer) IS 'the fiscal year n years earlier';
COMMENT ON OPERATOR tsetp.- (tsetp.fiscal_year, tsetp.fiscal_year) IS 'number of years between two fiscal years';

CREATE FUNCTION tsetp.fiscal_year(integer) RETURNS tsetp.fiscal_year
	AS 'MODULE_PATHNAME', 'fiscal_year_from_int4'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.year(tsetp.fiscal_year) RETURNS integer
	AS 'i2toi4' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.fiscal_year(integer) IS 'fiscal year N of the Gregorian year N (FY1868 to FY9999)';
COMMENT ON FUNCTION tsetp.year(tsetp.fiscal_year) IS 'the Gregorian year N of FY N (the calendar year it starts in)';

CREATE CAST (integer AS tsetp.fiscal_year)
	WITH FUNCTION tsetp.fiscal_year(integer) AS ASSIGNMENT;
CREATE CAST (tsetp.fiscal_year AS integer)
	WITH FUNCTION tsetp.year(tsetp.fiscal_year) AS ASSIGNMENT;
COMMENT ON CAST (integer AS tsetp.fiscal_year) IS 'Gregorian year N to FY N, range-checked';
COMMENT ON CAST (tsetp.fiscal_year AS integer) IS 'FY N to its Gregorian year N';

CREATE FUNCTION tsetp.fiscal_year(date) RETURNS tsetp.fiscal_year
	AS 'MODULE_PATHNAME', 'fiscal_year_from_date'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fy_start(tsetp.fiscal_year) RETURNS date
	AS 'MODULE_PATHNAME', 'fiscal_year_start'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fy_end(tsetp.fiscal_year) RETURNS date
	AS 'MODULE_PATHNAME', 'fiscal_year_end'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.wareki(tsetp.fiscal_year) RETURNS text
	AS 'MODULE_PATHNAME', 'fiscal_year_wareki'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.fiscal_year(date) IS 'the fiscal year a date falls in (January to March belong to the year before)';
COMMENT ON FUNCTION tsetp.fy_start(tsetp.fiscal_year) IS 'first day of the fiscal year (1 April)';
COMMENT ON FUNCTION tsetp.fy_end(tsetp.fiscal_year) IS 'last day of the fiscal year (31 March of the next calendar year)';
COMMENT ON FUNCTION tsetp.wareki(tsetp.fiscal_year) IS 'era name of the fiscal year, e.g. 令和2年度, 令和元年度 (the newer era where two share the starting calendar year)';

-- ---------------------------------------------------------------------------
-- fiscal_period: a closed run of fiscal years, stored by value as int4
-- (lower << 16) | upper, so that the core int4 functions order periods by
-- (lower, upper).
-- ---------------------------------------------------------------------------

CREATE TYPE tsetp.fiscal_period;

CREATE FUNCTION tsetp.fiscal_period_in(cstring) RETURNS tsetp.fiscal_period
	AS 'MODULE_PATHNAME', 'fiscal_period_in'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fiscal_period_out(tsetp.fiscal_period) RETURNS cstring
	AS 'MODULE_PATHNAME', 'fiscal_period_out'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fiscal_period_recv(internal) RETURNS tsetp.fiscal_period
	AS 'MODULE_PATHNAME', 'fiscal_period_recv'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fiscal_period_send(tsetp.fiscal_period) RETURNS bytea
	AS 'int4send'
	LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE tsetp.fiscal_period (
	INPUT = tsetp.fiscal_period_in,
	OUTPUT = tsetp.fiscal_period_out,
	RECEIVE = tsetp.fiscal_period_recv,
	SEND = tsetp.fiscal_period_send,
	INTERNALLENGTH = 4,
	PASSEDBYVALUE,
	ALIGNMENT = int4,
	STORAGE = plain
);
COMMENT ON TYPE tsetp.fiscal_period IS
	'closed run of fiscal years; text FY2020-FY2024, input also 2020-2024, R2-R6, 令和2年度～令和6年度, or one year';
COMMENT ON FUNCTION tsetp.fiscal_period_in(cstring) IS 'text input of fiscal_period';
COMMENT ON FUNCTION tsetp.fiscal_period_out(tsetp.fiscal_period) IS 'text output of fiscal_period (FY2020-FY2024)';
COMMENT ON FUNCTION tsetp.fiscal_period_recv(internal) IS 'binary input of fiscal_period (packed int4, validated)';
COMMENT ON FUNCTION tsetp.fiscal_period_send(tsetp.fiscal_period) IS 'binary output of fiscal_period (int4: first year << 16 | last year)';

CREATE FUNCTION tsetp.fiscal_period_eq(tsetp.fiscal_period, tsetp.fiscal_period) RETURNS boolean
	AS 'int4eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_period_ne(tsetp.fiscal_period, tsetp.fiscal_period) RETURNS boolean
	AS 'int4ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_period_lt(tsetp.fiscal_period, tsetp.fiscal_period) RETURNS boolean
	AS 'int4lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_period_le(tsetp.fiscal_period, tsetp.fiscal_period) RETURNS boolean
	AS 'int4le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_period_gt(tsetp.fiscal_period, tsetp.fiscal_period) RETURNS boolean
	AS 'int4gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_period_ge(tsetp.fiscal_period, tsetp.fiscal_period) RETURNS boolean
	AS 'int4ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_period_cmp(tsetp.fiscal_period, tsetp.fiscal_period) RETURNS integer
	AS 'btint4cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_period_hash(tsetp.fiscal_period) RETURNS integer
	AS 'hashint4' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_period_hash_extended(tsetp.fiscal_period, bigint) RETURNS bigint
	AS 'hashint4extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION tsetp.fiscal_period_eq(tsetp.fiscal_period, tsetp.fiscal_period) IS 'equal';
COMMENT ON FUNCTION tsetp.fiscal_period_ne(tsetp.fiscal_period, tsetp.fiscal_period) IS 'not equal';
COMMENT ON FUNCTION tsetp.fiscal_period_lt(tsetp.fiscal_period, tsetp.fiscal_period) IS 'sorts before (by first year, then last year)';
COMMENT ON FUNCTION tsetp.fiscal_period_le(tsetp.fiscal_period, tsetp.fiscal_period) IS 'sorts before or equal';
COMMENT ON FUNCTION tsetp.fiscal_period_gt(tsetp.fiscal_period, tsetp.fiscal_period) IS 'sorts after (by first year, then last year)';
COMMENT ON FUNCTION tsetp.fiscal_period_ge(tsetp.fiscal_period, tsetp.fiscal_period) IS 'sorts after or equal';
COMMENT ON FUNCTION tsetp.fiscal_period_cmp(tsetp.fiscal_period, tsetp.fiscal_period) IS 'btree comparison: -1, 0 or 1';
COMMENT ON FUNCTION tsetp.fiscal_period_hash(tsetp.fiscal_period) IS 'hash';
COMMENT ON FUNCTION tsetp.fiscal_period_hash_extended(tsetp.fiscal_period, bigint) IS 'hash with a seed';

CREATE OPERATOR tsetp.= (
	LEFTARG = tsetp.fiscal_period, RIGHTARG = tsetp.fiscal_period,
	FUNCTION = tsetp.fiscal_period_eq,
	COMMUTATOR = OPERATOR(tsetp.=), NEGATOR = OPERATOR(tsetp.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR tsetp.<> (
	LEFTARG = tsetp.fiscal_period, RIGHTARG = tsetp.fiscal_period,
	FUNCTION = tsetp.fiscal_period_ne,
	COMMUTATOR = OPERATOR(tsetp.<>), NEGATOR = OPERATOR(tsetp.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR tsetp.< (
	LEFTARG = tsetp.fiscal_period, RIGHTARG = tsetp.fiscal_period,
	FUNCTION = tsetp.fiscal_period_lt,
	COMMUTATOR = OPERATOR(tsetp.>), NEGATOR = OPERATOR(tsetp.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR tsetp.<= (
	LEFTARG = tsetp.fiscal_period, RIGHTARG = tsetp.fiscal_period,
	FUNCTION = tsetp.fiscal_period_le,
	COMMUTATOR = OPERATOR(tsetp.>=), NEGATOR = OPERATOR(tsetp.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR tsetp.> (
	LEFTARG = tsetp.fiscal_period, RIGHTARG = tsetp.fiscal_period,
	FUNCTION = tsetp.fiscal_period_gt,
	COMMUTATOR = OPERATOR(tsetp.<), NEGATOR = OPERATOR(tsetp.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR tsetp.>= (
	LEFTARG = tsetp.fiscal_period, RIGHTARG = tsetp.fiscal_period,
	FUNCTION = tsetp.fiscal_period_ge,
	COMMUTATOR = OPERATOR(tsetp.<=), NEGATOR = OPERATOR(tsetp.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);
COMMENT ON OPERATOR tsetp.= (tsetp.fiscal_period, tsetp.fiscal_period) IS 'equal';
COMMENT ON OPERATOR tsetp.<> (tsetp.fiscal_period, tsetp.fiscal_period) IS 'not equal';
COMMENT ON OPERATOR tsetp.< (tsetp.fiscal_period, tsetp.fiscal_period) IS 'sorts before (by first year, then last year)';
COMMENT ON OPERATOR tsetp.<= (tsetp.fiscal_period, tsetp.fiscal_period) IS 'sorts before or equal';
COMMENT ON OPERATOR tsetp.> (tsetp.fiscal_period, tsetp.fiscal_period) IS 'sorts after (by first year, then last year)';
COMMENT ON OPERATOR tsetp.>= (tsetp.fiscal_period, tsetp.fiscal_period) IS 'sorts after or equal';

CREATE OPERATOR CLASS tsetp.fiscal_period_ops
	DEFAULT FOR TYPE tsetp.fiscal_period USING btree AS
	OPERATOR 1 tsetp.<,
	OPERATOR 2 tsetp.<=,
	OPERATOR 3 tsetp.=,
	OPERATOR 4 tsetp.>=,
	OPERATOR 5 tsetp.>,
	FUNCTION 1 tsetp.fiscal_period_cmp(tsetp.fiscal_period, tsetp.fiscal_period),
	FUNCTION 2 pg_catalog.btint4sortsupport(internal),
	FUNCTION 4 pg_catalog.btequalimage(oid);
CREATE OPERATOR CLASS tsetp.fiscal_period_hash_ops
	DEFAULT FOR TYPE tsetp.fiscal_period USING hash AS
	OPERATOR 1 tsetp.=,
	FUNCTION 1 tsetp.fiscal_period_hash(tsetp.fiscal_period),
	FUNCTION 2 tsetp.fiscal_period_hash_extended(tsetp.fiscal_period, bigint);

CREATE FUNCTION tsetp.fiscal_period(tsetp.fiscal_year, tsetp.fiscal_year) RETURNS tsetp.fiscal_period
	AS 'MODULE_PATHNAME', 'fiscal_period_make'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.lower(tsetp.fiscal_period) RETURNS tsetp.fiscal_year
	AS 'MODULE_PATHNAME', 'fiscal_period_lower'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.upper(tsetp.fiscal_period) RETURNS tsetp.fiscal_year
	AS 'MODULE_PATHNAME', 'fiscal_period_upper'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.years(tsetp.fiscal_period) RETURNS integer
	AS 'MODULE_PATHNAME', 'fiscal_period_years'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.fiscal_years(tsetp.fiscal_period) RETURNS SETOF tsetp.fiscal_year
	AS 'MODULE_PATHNAME', 'fiscal_period_fiscal_years'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
CREATE FUNCTION tsetp.year_range(tsetp.fiscal_period) RETURNS int4range
	AS 'MODULE_PATHNAME', 'fiscal_period_year_range'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.wareki(tsetp.fiscal_period) RETURNS text
	AS 'MODULE_PATHNAME', 'fiscal_period_wareki'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.fiscal_period(tsetp.fiscal_year, tsetp.fiscal_year) IS 'the period from the first to the last fiscal year, both included';
COMMENT ON FUNCTION tsetp.lower(tsetp.fiscal_period) IS 'first fiscal year of the period';
COMMENT ON FUNCTION tsetp.upper(tsetp.fiscal_period) IS 'last fiscal year of the period';
COMMENT ON FUNCTION tsetp.years(tsetp.fiscal_period) IS 'number of fiscal years in the period';
COMMENT ON FUNCTION tsetp.fiscal_years(tsetp.fiscal_period) IS 'each fiscal year of the period, in order';
COMMENT ON FUNCTION tsetp.year_range(tsetp.fiscal_period) IS 'the period as int4range [first, last + 1), e.g. for EXCLUDE USING gist (year_range(p) WITH &&)';
COMMENT ON FUNCTION tsetp.wareki(tsetp.fiscal_period) IS 'era names of the period, e.g. 令和2年度～令和6年度';

CREATE FUNCTION tsetp.fiscal_period_contains_year(tsetp.fiscal_period, tsetp.fiscal_year) RETURNS boolean
	AS 'MODULE_PATHNAME', 'fiscal_period_contains_year'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_year_contained_by(tsetp.fiscal_year, tsetp.fiscal_period) RETURNS boolean
	AS 'MODULE_PATHNAME', 'fiscal_year_contained_by'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_period_contains(tsetp.fiscal_period, tsetp.fiscal_period) RETURNS boolean
	AS 'MODULE_PATHNAME', 'fiscal_period_contains'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_period_contained_by(tsetp.fiscal_period, tsetp.fiscal_period) RETURNS boolean
	AS 'MODULE_PATHNAME', 'fiscal_period_contained_by'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.fiscal_period_overlaps(tsetp.fiscal_period, tsetp.fiscal_period) RETURNS boolean
	AS 'MODULE_PATHNAME', 'fiscal_period_overlaps'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION tsetp.fiscal_period_contains_year(tsetp.fiscal_period, tsetp.fiscal_year) IS 'the period includes the fiscal year';
COMMENT ON FUNCTION tsetp.fiscal_year_contained_by(tsetp.fiscal_year, tsetp.fiscal_period) IS 'the fiscal year lies within the period';
COMMENT ON FUNCTION tsetp.fiscal_period_contains(tsetp.fiscal_period, tsetp.fiscal_period) IS 'the first period includes every year of the second';
COMMENT ON FUNCTION tsetp.fiscal_period_contained_by(tsetp.fiscal_period, tsetp.fiscal_period) IS 'every year of the first period lies within the second';
COMMENT ON FUNCTION tsetp.fiscal_period_overlaps(tsetp.fiscal_period, tsetp.fiscal_period) IS 'the periods share at least one fiscal year';

CREATE OPERATOR tsetp.@> (
	LEFTARG = tsetp.fiscal_period, RIGHTARG = tsetp.fiscal_year,
	FUNCTION = tsetp.fiscal_period_contains_year,
	COMMUTATOR = OPERATOR(tsetp.<@),
	RESTRICT = contsel, JOIN = contjoinsel
);
CREATE OPERATOR tsetp.<@ (
	LEFTARG = tsetp.fiscal_year, RIGHTARG = tsetp.fiscal_period,
	FUNCTION = tsetp.fiscal_year_contained_by,
	COMMUTATOR = OPERATOR(tsetp.@>),
	RESTRICT = contsel, JOIN = contjoinsel
);
CREATE OPERATOR tsetp.@> (
	LEFTARG = tsetp.fiscal_period, RIGHTARG = tsetp.fiscal_period,
	FUNCTION = tsetp.fiscal_period_contains,
	COMMUTATOR = OPERATOR(tsetp.<@),
	RESTRICT = contsel, JOIN = contjoinsel
);
CREATE OPERATOR tsetp.<@ (
	LEFTARG = tsetp.fiscal_period, RIGHTARG = tsetp.fiscal_period,
	FUNCTION = tsetp.fiscal_period_contained_by,
	COMMUTATOR = OPERATOR(tsetp.@>),
	RESTRICT = contsel, JOIN = contjoinsel
);
CREATE OPERATOR tsetp.&& (
	LEFTARG = tsetp.fiscal_period, RIGHTARG = tsetp.fiscal_period,
	FUNCTION = tsetp.fiscal_period_overlaps,
	COMMUTATOR = OPERATOR(tsetp.&&),
	RESTRICT = areasel, JOIN = areajoinsel
);
COMMENT ON OPERATOR tsetp.@> (tsetp.fiscal_period, tsetp.fiscal_year) IS 'period contains fiscal year';
COMMENT ON OPERATOR tsetp.<@ (tsetp.fiscal_year, tsetp.fiscal_period) IS 'fiscal year is contained by period';
COMMENT ON OPERATOR tsetp.@> (tsetp.fiscal_period, tsetp.fiscal_period) IS 'period contains period';
COMMENT ON OPERATOR tsetp.<@ (tsetp.fiscal_period, tsetp.fiscal_period) IS 'period is contained by period';
COMMENT ON OPERATOR tsetp.&& (tsetp.fiscal_period, tsetp.fiscal_period) IS 'periods overlap';

-- ---------------------------------------------------------------------------
-- credit: a block of serial-numbered whole tonnes of one credit line
-- (origin / kind / vintage / source / first-last serial).  SPEC §1.8, §1.9.
-- ---------------------------------------------------------------------------

CREATE TYPE tsetp.credit;

CREATE FUNCTION tsetp.credit_in(cstring) RETURNS tsetp.credit
    AS 'MODULE_PATHNAME', 'credit_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_out(tsetp.credit) RETURNS cstring
    AS 'MODULE_PATHNAME', 'credit_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_recv(internal) RETURNS tsetp.credit
    AS 'MODULE_PATHNAME', 'credit_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_send(tsetp.credit) RETURNS bytea
    AS 'MODULE_PATHNAME', 'credit_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE tsetp.credit (
    INPUT = tsetp.credit_in,
    OUTPUT = tsetp.credit_out,
    RECEIVE = tsetp.credit_recv,
    SEND = tsetp.credit_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = plain
);
COMMENT ON TYPE tsetp.credit IS
    'A block of serial-numbered whole tonnes of one credit line, e.g. SAI/ER/FY2020/F000123/1000001-1001000 (origin/kind/vintage/source/first-last)';
COMMENT ON FUNCTION tsetp.credit_in(cstring) IS 'Text input of credit';
COMMENT ON FUNCTION tsetp.credit_out(tsetp.credit) IS 'Canonical text output of credit';
COMMENT ON FUNCTION tsetp.credit_recv(internal) IS 'Binary input of credit (versioned, fully re-validated)';
COMMENT ON FUNCTION tsetp.credit_send(tsetp.credit) IS 'Binary output of credit (versioned)';

-- Constructor and accessors.

CREATE FUNCTION tsetp.credit(origin text, kind text, vintage tsetp.fiscal_year,
                             source text, first_serial bigint, last_serial bigint)
    RETURNS tsetp.credit
    AS 'MODULE_PATHNAME', 'credit_construct'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.credit(text, text, tsetp.fiscal_year, text, bigint, bigint) IS
    'Builds a credit block from origin, kind, vintage, source and its first and last serial';

CREATE FUNCTION tsetp.origin(tsetp.credit) RETURNS text
    AS 'MODULE_PATHNAME', 'credit_origin'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.origin(tsetp.credit) IS
    'Issuing programme code of a credit block, e.g. SAI';

CREATE FUNCTION tsetp.kind(tsetp.credit) RETURNS text
    AS 'MODULE_PATHNAME', 'credit_kind'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.kind(tsetp.credit) IS
    'Credit kind of a credit block, e.g. ER';

CREATE FUNCTION tsetp.vintage(tsetp.credit) RETURNS tsetp.fiscal_year
    AS 'MODULE_PATHNAME', 'credit_vintage'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.vintage(tsetp.credit) IS
    'Vintage (fiscal year) of a credit block';

CREATE FUNCTION tsetp.source(tsetp.credit) RETURNS text
    AS 'MODULE_PATHNAME', 'credit_source'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.source(tsetp.credit) IS
    'Facility or project a credit block came from';

CREATE FUNCTION tsetp.first_serial(tsetp.credit) RETURNS bigint
    AS 'MODULE_PATHNAME', 'credit_first_serial'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.first_serial(tsetp.credit) IS
    'First serial number of a credit block';

CREATE FUNCTION tsetp.last_serial(tsetp.credit) RETURNS bigint
    AS 'MODULE_PATHNAME', 'credit_last_serial'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.last_serial(tsetp.credit) IS
    'Last serial number of a credit block (inclusive)';

CREATE FUNCTION tsetp.tonnes(tsetp.credit) RETURNS bigint
    AS 'MODULE_PATHNAME', 'credit_tonnes_fn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.tonnes(tsetp.credit) IS
    'Number of whole tonnes in a credit block';

CREATE FUNCTION tsetp.amount(tsetp.credit) RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'credit_amount'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.amount(tsetp.credit) IS
    'Amount of CO2 a credit block stands for (one tonne per serial)';

CREATE FUNCTION tsetp.serials(tsetp.credit) RETURNS int8range
    AS 'MODULE_PATHNAME', 'credit_serials'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.serials(tsetp.credit) IS
    'Serials of a credit block as the int8range [first, last + 1)';

-- Split and merge.

CREATE FUNCTION tsetp.split_head(tsetp.credit, n bigint) RETURNS tsetp.credit
    AS 'MODULE_PATHNAME', 'credit_split_head'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.split_head(tsetp.credit, bigint) IS
    'The first n tonnes of a credit block (1 <= n < tonnes)';

CREATE FUNCTION tsetp.split_tail(tsetp.credit, n bigint) RETURNS tsetp.credit
    AS 'MODULE_PATHNAME', 'credit_split_tail'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.split_tail(tsetp.credit, bigint) IS
    'A credit block without its first n tonnes (1 <= n < tonnes)';

CREATE FUNCTION tsetp.merge(tsetp.credit, tsetp.credit) RETURNS tsetp.credit
    AS 'MODULE_PATHNAME', 'credit_merge_fn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.merge(tsetp.credit, tsetp.credit) IS
    'One block from two adjacent blocks of the same credit line, in either order';

CREATE FUNCTION tsetp.adjacent(tsetp.credit, tsetp.credit) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_adjacent_fn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.adjacent(tsetp.credit, tsetp.credit) IS
    'Whether the serials of two credit blocks meet with no gap and no overlap (whatever their lines)';

CREATE FUNCTION tsetp.same_line(tsetp.credit, tsetp.credit) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_same_line_fn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.same_line(tsetp.credit, tsetp.credit) IS
    'Whether two credit blocks have the same origin, kind, vintage and source';

CREATE FUNCTION tsetp.credit_overlaps(tsetp.credit, tsetp.credit) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_overlaps_fn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.credit_overlaps(tsetp.credit, tsetp.credit) IS
    'Whether two credit blocks share at least one serial';

CREATE FUNCTION tsetp.contains_serial(tsetp.credit, bigint) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_contains_serial'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.contains_serial(tsetp.credit, bigint) IS
    'Whether a credit block holds the given serial';

CREATE FUNCTION tsetp.serial_contained(bigint, tsetp.credit) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_serial_contained'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.serial_contained(bigint, tsetp.credit) IS
    'Whether the serial is held by a credit block';

CREATE OPERATOR tsetp.&& (
    LEFTARG = tsetp.credit, RIGHTARG = tsetp.credit,
    FUNCTION = tsetp.credit_overlaps,
    COMMUTATOR = OPERATOR(tsetp.&&),
    RESTRICT = areasel, JOIN = areajoinsel
);
COMMENT ON OPERATOR tsetp.&& (tsetp.credit, tsetp.credit) IS
    'credit blocks share at least one serial';

CREATE OPERATOR tsetp.-|- (
    LEFTARG = tsetp.credit, RIGHTARG = tsetp.credit,
    FUNCTION = tsetp.adjacent,
    COMMUTATOR = OPERATOR(tsetp.-|-),
    RESTRICT = contsel, JOIN = contjoinsel
);
COMMENT ON OPERATOR tsetp.-|- (tsetp.credit, tsetp.credit) IS
    'serials of credit blocks meet with no gap and no overlap';

CREATE OPERATOR tsetp.@> (
    LEFTARG = tsetp.credit, RIGHTARG = bigint,
    FUNCTION = tsetp.contains_serial,
    COMMUTATOR = OPERATOR(tsetp.<@),
    RESTRICT = contsel, JOIN = contjoinsel
);
COMMENT ON OPERATOR tsetp.@> (tsetp.credit, bigint) IS
    'credit block holds the serial';

CREATE OPERATOR tsetp.<@ (
    LEFTARG = bigint, RIGHTARG = tsetp.credit,
    FUNCTION = tsetp.serial_contained,
    COMMUTATOR = OPERATOR(tsetp.@>),
    RESTRICT = contsel, JOIN = contjoinsel
);
COMMENT ON OPERATOR tsetp.<@ (bigint, tsetp.credit) IS
    'serial is held by the credit block';

-- GiST: credit blocks indexed by their serials, for EXCLUDE USING gist
-- (block WITH &&), which proves that no serial is held twice, and for finding
-- the block that holds a serial (block @> serial). The keys are closed spans
-- of serials, stored as tsetp.serial_span (credit_gist.c).
CREATE TYPE tsetp.serial_span;
CREATE FUNCTION tsetp.serial_span_in(cstring) RETURNS tsetp.serial_span
    AS 'MODULE_PATHNAME', 'serial_span_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.serial_span_out(tsetp.serial_span) RETURNS cstring
    AS 'MODULE_PATHNAME', 'serial_span_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE tsetp.serial_span (
    INPUT = tsetp.serial_span_in,
    OUTPUT = tsetp.serial_span_out,
    INTERNALLENGTH = 16,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE tsetp.serial_span IS
    'Closed span of credit serials, [first,last]: the key of the credit GiST operator class';

CREATE FUNCTION tsetp.credit_gist_consistent(internal, tsetp.credit, smallint, oid, internal) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_gist_consistent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_union(internal, internal) RETURNS tsetp.serial_span
    AS 'MODULE_PATHNAME', 'credit_gist_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_compress(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'credit_gist_compress' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_penalty(internal, internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'credit_gist_penalty' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_picksplit(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'credit_gist_picksplit' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_same(tsetp.serial_span, tsetp.serial_span, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'credit_gist_same' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gist_sortsupport(internal) RETURNS void
    AS 'MODULE_PATHNAME', 'credit_gist_sortsupport' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tsetp.serial_span_in(cstring) IS 'serial_span input: [first,last]';
COMMENT ON FUNCTION tsetp.serial_span_out(tsetp.serial_span) IS 'serial_span output: [first,last]';
COMMENT ON FUNCTION tsetp.credit_gist_consistent(internal, tsetp.credit, smallint, oid, internal) IS
    'GiST support of credit_serial_ops: whether a span can hold a match of && (a block) or @> (a serial); exact';
COMMENT ON FUNCTION tsetp.credit_gist_union(internal, internal) IS
    'GiST support of credit_serial_ops: the span covering the entries';
COMMENT ON FUNCTION tsetp.credit_gist_compress(internal) IS
    'GiST support of credit_serial_ops: a block''s key is its span of serials';
COMMENT ON FUNCTION tsetp.credit_gist_penalty(internal, internal, internal) IS
    'GiST support of credit_serial_ops: how many serials a span grows by to take an entry';
COMMENT ON FUNCTION tsetp.credit_gist_picksplit(internal, internal) IS
    'GiST support of credit_serial_ops: entries sorted by first serial, cut in half';
COMMENT ON FUNCTION tsetp.credit_gist_same(tsetp.serial_span, tsetp.serial_span, internal) IS
    'GiST support of credit_serial_ops: whether two spans are equal';
COMMENT ON FUNCTION tsetp.credit_gist_sortsupport(internal) IS
    'GiST support of credit_serial_ops: sorted index builds, keys in serial order';

CREATE OPERATOR CLASS tsetp.credit_serial_ops
    DEFAULT FOR TYPE tsetp.credit USING gist AS
        OPERATOR 3 tsetp.&& (tsetp.credit, tsetp.credit),
        OPERATOR 16 tsetp.@> (tsetp.credit, bigint),
        FUNCTION 1 tsetp.credit_gist_consistent(internal, tsetp.credit, smallint, oid, internal),
        FUNCTION 2 tsetp.credit_gist_union(internal, internal),
        FUNCTION 3 tsetp.credit_gist_compress(internal),
        FUNCTION 5 tsetp.credit_gist_penalty(internal, internal, internal),
        FUNCTION 6 tsetp.credit_gist_picksplit(internal, internal),
        FUNCTION 7 tsetp.credit_gist_same(tsetp.serial_span, tsetp.serial_span, internal),
        FUNCTION 11 tsetp.credit_gist_sortsupport(internal),
        STORAGE tsetp.serial_span;
COMMENT ON OPERATOR CLASS tsetp.credit_serial_ops USING gist IS
    'credit blocks by their serials: && (share a serial), @> (holds a serial); for EXCLUDE USING gist (block WITH &&)';

-- Comparison: by first serial, last serial, origin, kind, vintage, source.
-- The representation is canonical, so = and <> compare bytes and cannot
-- fail (LEAKPROOF); the ordering functions decode and would raise on a
-- corrupt value, so they are not marked LEAKPROOF.

CREATE FUNCTION tsetp.credit_eq(tsetp.credit, tsetp.credit) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.credit_ne(tsetp.credit, tsetp.credit) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.credit_lt(tsetp.credit, tsetp.credit) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_lt'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_le(tsetp.credit, tsetp.credit) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_le'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_gt(tsetp.credit, tsetp.credit) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_gt'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_ge(tsetp.credit, tsetp.credit) RETURNS boolean
    AS 'MODULE_PATHNAME', 'credit_ge'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_cmp(tsetp.credit, tsetp.credit) RETURNS integer
    AS 'MODULE_PATHNAME', 'credit_cmp'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tsetp.credit_hash(tsetp.credit) RETURNS integer
    AS 'MODULE_PATHNAME', 'credit_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION tsetp.credit_hash_extended(tsetp.credit, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'credit_hash_extended'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

COMMENT ON FUNCTION tsetp.credit_eq(tsetp.credit, tsetp.credit) IS 'Implementation of = for credit';
COMMENT ON FUNCTION tsetp.credit_ne(tsetp.credit, tsetp.credit) IS 'Implementation of <> for credit';
COMMENT ON FUNCTION tsetp.credit_lt(tsetp.credit, tsetp.credit) IS 'Implementation of < for credit';
COMMENT ON FUNCTION tsetp.credit_le(tsetp.credit, tsetp.credit) IS 'Implementation of <= for credit';
COMMENT ON FUNCTION tsetp.credit_gt(tsetp.credit, tsetp.credit) IS 'Implementation of > for credit';
COMMENT ON FUNCTION tsetp.credit_ge(tsetp.credit, tsetp.credit) IS 'Implementation of >= for credit';
COMMENT ON FUNCTION tsetp.credit_cmp(tsetp.credit, tsetp.credit) IS 'btree support: order of credit blocks';
COMMENT ON FUNCTION tsetp.credit_hash(tsetp.credit) IS 'hash support for credit';
COMMENT ON FUNCTION tsetp.credit_hash_extended(tsetp.credit, bigint) IS 'Extended (seeded) hash support for credit';

CREATE OPERATOR tsetp.= (
    LEFTARG = tsetp.credit, RIGHTARG = tsetp.credit,
    FUNCTION = tsetp.credit_eq,
    COMMUTATOR = OPERATOR(tsetp.=), NEGATOR = OPERATOR(tsetp.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel,
    HASHES, MERGES
);
CREATE OPERATOR tsetp.<> (
    LEFTARG = tsetp.credit, RIGHTARG = tsetp.credit,
    FUNCTION = tsetp.credit_ne,
    COMMUTATOR = OPERATOR(tsetp.<>), NEGATOR = OPERATOR(tsetp.=),
    RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR tsetp.< (
    LEFTARG = tsetp.credit, RIGHTARG = tsetp.credit,
    FUNCTION = tsetp.credit_lt,
    COMMUTATOR = OPERATOR(tsetp.>), NEGATOR = OPERATOR(tsetp.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR tsetp.<= (
    LEFTARG = tsetp.credit, RIGHTARG = tsetp.credit,
    FUNCTION = tsetp.credit_le,
    COMMUTATOR = OPERATOR(tsetp.>=), NEGATOR = OPERATOR(tsetp.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR tsetp.> (
    LEFTARG = tsetp.credit, RIGHTARG = tsetp.credit,
    FUNCTION = tsetp.credit_gt,
    COMMUTATOR = OPERATOR(tsetp.<), NEGATOR = OPERATOR(tsetp.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR tsetp.>= (
    LEFTARG = tsetp.credit, RIGHTARG = tsetp.credit,
    FUNCTION = tsetp.credit_ge,
    COMMUTATOR = OPERATOR(tsetp.<=), NEGATOR = OPERATOR(tsetp.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);
COMMENT ON OPERATOR tsetp.= (tsetp.credit, tsetp.credit) IS 'equal';
COMMENT ON OPERATOR tsetp.<> (tsetp.credit, tsetp.credit) IS 'not equal';
COMMENT ON OPERATOR tsetp.< (tsetp.credit, tsetp.credit) IS 'less than (by first serial, then last serial, origin, kind, vintage, source)';
COMMENT ON OPERATOR tsetp.<= (tsetp.credit, tsetp.credit) IS 'less than or equal';
COMMENT ON OPERATOR tsetp.> (tsetp.credit, tsetp.credit) IS 'greater than';
COMMENT ON OPERATOR tsetp.>= (tsetp.credit, tsetp.credit) IS 'greater than or equal';

CREATE OPERATOR CLASS tsetp.credit_ops
    DEFAULT FOR TYPE tsetp.credit USING btree AS
        OPERATOR 1 tsetp.< ,
        OPERATOR 2 tsetp.<= ,
        OPERATOR 3 tsetp.= ,
        OPERATOR 4 tsetp.>= ,
        OPERATOR 5 tsetp.> ,
        FUNCTION 1 tsetp.credit_cmp(tsetp.credit, tsetp.credit);

CREATE OPERATOR CLASS tsetp.credit_hash_ops
    DEFAULT FOR TYPE tsetp.credit USING hash AS
        OPERATOR 1 tsetp.= ,
        FUNCTION 1 tsetp.credit_hash(tsetp.credit),
        FUNCTION 2 tsetp.credit_hash_extended(tsetp.credit, bigint);
COMMENT ON OPERATOR CLASS tsetp.credit_ops USING btree IS
    'Default btree order of credit: first serial, last serial, origin, kind, vintage, source';
COMMENT ON OPERATOR CLASS tsetp.credit_hash_ops USING hash IS
    'Default hash class of credit (hash of the canonical representation)';
COMMENT ON OPERATOR FAMILY tsetp.credit_ops USING btree IS 'Operators that order credit';
COMMENT ON OPERATOR FAMILY tsetp.credit_hash_ops USING hash IS 'Operators that hash credit';

-- Compliance formulas (SPEC §1.3-1.7). One function per rule, so that one
-- formula serves assessment, projection, issuance and the reports. Rates,
-- caps, thresholds and factors are arguments (numeric fractions, 0.22 = 22%)
-- taken from configuration rows, never constants. Amounts are exact; a result
-- between two thousandths of a tonne rounds half away from zero.

CREATE FUNCTION tsetp.year_target(base tsetp.tco2, rate numeric)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_year_target'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.year_target(tsetp.tco2, numeric) IS
    'Reduction target of a fiscal year, t = base × rate (10000 t at 0.22 = 2200 t), rounded half away from zero to 0.001 t';

-- Not strict: a NULL cap means no cap.
CREATE FUNCTION tsetp.counted_reduction(base tsetp.tco2, emissions tsetp.tco2,
                                        cap numeric)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_counted_reduction'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.counted_reduction(tsetp.tco2, tsetp.tco2, numeric) IS
    'Reduction of a fiscal year as counted toward excess reduction: base − emissions, a positive reduction counted only up to cap × base (0.5 = half; truncated to 0.001 t so it never exceeds the cap); a NULL cap means no cap; NULL when base or emissions is NULL';

CREATE FUNCTION tsetp.excess_reduction(counted_total tsetp.tco2,
                                       target_total tsetp.tco2)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_positive_difference'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.excess_reduction(tsetp.tco2, tsetp.tco2) IS
    'Excess reduction (超過削減量): greatest(counted reduction total − target total, 0)';

CREATE FUNCTION tsetp.issuable_excess(cumulative_excess tsetp.tco2,
                                      already_issued tsetp.tco2)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_positive_difference'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.issuable_excess(tsetp.tco2, tsetp.tco2) IS
    'Excess reduction that may be issued now: greatest(cumulative excess of the verified years − already issued, 0)';

CREATE FUNCTION tsetp.revision_required(current_base tsetp.tco2,
                                        proposed_base tsetp.tco2,
                                        threshold numeric)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'tsetp_rules_revision_required'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.revision_required(tsetp.tco2, tsetp.tco2, numeric) IS
    'True when a change of base emissions is large enough to revise the base: |proposed − current| ≥ threshold × current, exactly (0.06: 10000 t → 10600 t or 9400 t qualify)';

CREATE FUNCTION tsetp.apply_relief(rate numeric, operation text, value numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'tsetp_rules_apply_relief'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.apply_relief(numeric, text, numeric) IS
    'Applies a relief (緩和措置) to a standard rate, exactly: operation ''multiply'' gives rate × value (0.22 × 0.75 = 0.165), ''subtract'' gives rate − value but never below 0 (0.22 − 0.02 = 0.2); result without trailing zeros';

CREATE FUNCTION tsetp.coverage_year_number(coverage_start tsetp.fiscal_year,
                                           fy tsetp.fiscal_year)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'tsetp_rules_coverage_year_number'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.coverage_year_number(tsetp.fiscal_year, tsetp.fiscal_year) IS
    'The n-th year of coverage that fy is (1 = the first covered year, fy − coverage_start + 1); NULL for a year before coverage';

-- Not strict in last_n: NULL means the rung is open-ended.
CREATE FUNCTION tsetp.rung_applies(n integer, first_n integer, last_n integer)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'tsetp_rules_rung_applies'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.rung_applies(integer, integer, integer) IS
    'True when a transitional ladder rung (経過措置) for coverage years first_n..last_n covers the n-th year of coverage; a NULL last_n is open-ended; NULL when n or first_n is NULL';

CREATE FUNCTION tsetp.banking_eligible(vintage_period integer,
                                       target_period integer,
                                       banking_periods integer)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'tsetp_rules_banking_eligible'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.banking_eligible(integer, integer, integer) IS
    'True when a credit of plan period vintage_period may be surrendered for target_period: 0 ≤ target_period − vintage_period ≤ banking_periods (banking, never borrowing)';

CREATE FUNCTION tsetp.outcome(pending boolean, reduction_total tsetp.tco2,
                              target_total tsetp.tco2, own_banked tsetp.tco2,
                              other_credits tsetp.tco2)
    RETURNS text
    AS 'MODULE_PATHNAME', 'tsetp_rules_outcome'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.outcome(boolean, tsetp.tco2, tsetp.tco2, tsetp.tco2, tsetp.tco2) IS
    'Outcome of a plan period: pending while a covered year lacks verified emissions, else achieved_own (reduction ≥ target), achieved_banking (with the facility''s own banked excess), achieved_trading (with other credits too) or not_achieved';

CREATE FUNCTION tsetp.shortfall(reduction_total tsetp.tco2, credits tsetp.tco2,
                                target_total tsetp.tco2)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_shortfall'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.shortfall(tsetp.tco2, tsetp.tco2, tsetp.tco2) IS
    'Shortfall (削減不足量): greatest(target − reduction − credits, 0)';

CREATE FUNCTION tsetp.projection(years_reported integer, years_total integer,
                                 emissions_to_date tsetp.tco2,
                                 base_total tsetp.tco2,
                                 target_total tsetp.tco2,
                                 OUT projected_emissions tsetp.tco2,
                                 OUT projected_reduction tsetp.tco2,
                                 OUT projected_balance tsetp.tco2,
                                 OUT allowed_remaining tsetp.tco2,
                                 OUT allowed_remaining_per_year tsetp.tco2)
    RETURNS record
    AS 'MODULE_PATHNAME', 'tsetp_rules_projection'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.projection(integer, integer, tsetp.tco2, tsetp.tco2, tsetp.tco2) IS
    'Projection (達成見込み) of a plan period: emissions continue the average of the reported years (emissions_to_date × years_total / years_reported), reduction = base − projected emissions, balance = reduction − target (negative = projected shortfall; all three NULL before any year is reported), allowed_remaining = base − target − emissions_to_date, and per remaining year (NULL when none remains); rounded half away from zero to 0.001 t';

CREATE FUNCTION tsetp.penalty_obligation(shortfall tsetp.tco2, factor numeric)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_penalty_obligation'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.penalty_obligation(tsetp.tco2, numeric) IS
    'Reduction ordered for non-compliance: shortfall × factor (Tokyo 1.3), rounded half away from zero to 0.001 t; NULL when the programme has no factor';
-- Programme configuration: every period, rate, threshold, cap, relief and
-- credit kind is a row here, never a constant in code. Saitama, Tokyo and
-- JVETS ship preloaded; a prefecture adds its own programme as rows.
--
-- Shipped rows carry seeded = true. pg_dump keeps the rows a user adds or
-- changes (pg_extension_config_dump filters on NOT seeded): changing a shipped
-- row turns it into a user row, and restoring a user row whose key matches a
-- shipped row updates that row in place (tsetp.config_row()).

CREATE FUNCTION tsetp.in_extension_script() RETURNS boolean
    AS 'MODULE_PATHNAME', 'tsetp_in_extension_script'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.in_extension_script() IS
    'True while the tsetp extension script itself is running (used to tell shipped configuration rows from user rows)';

CREATE FUNCTION tsetp.config_row() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    keycond text;
    setlist text;
    n       bigint;
BEGIN
    NEW.seeded := tsetp.in_extension_script();
    IF TG_OP = 'UPDATE' OR NEW.seeded THEN
        RETURN NEW;
    END IF;
    -- A user row with the key of a shipped row replaces the shipped row in
    -- place, so that a dump of user changes restores over a fresh install.
    SELECT string_agg(pg_catalog.format('%I = $1.%I', k, k), ' AND ')
      INTO keycond
      FROM pg_catalog.unnest(TG_ARGV) AS k;
    SELECT string_agg(pg_catalog.format('%I = $1.%I', a.attname, a.attname), ', ')
      INTO setlist
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped
       AND a.attgenerated = '' AND a.attidentity = '';
    EXECUTE pg_catalog.format('UPDATE %I.%I SET %s WHERE seeded AND %s',
                              TG_TABLE_SCHEMA, TG_TABLE_NAME, setlist, keycond)
      USING NEW;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.config_row() IS
    'Trigger on configuration tables: marks shipped rows, and lets a user row replace the shipped row with the same key';

-- A programme and its scalar parameters.
CREATE TABLE tsetp.programme (
    code                    text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name                    text NOT NULL,
    name_ja                 text,
    credit_origin           text NOT NULL UNIQUE CHECK (credit_origin ~ '^[A-Z0-9]{1,8}$'),
    timezone                text NOT NULL DEFAULT 'Asia/Tokyo',
    coverage_kl             numeric CHECK (coverage_kl > 0),
    coverage_years          int CHECK (coverage_years > 0),
    historical_base_years   tsetp.fiscal_period,
    base_average_years      int CHECK (base_average_years > 0),
    new_base_lookback_years int CHECK (new_base_lookback_years > 0),
    revision_threshold      numeric CHECK (revision_threshold > 0 AND revision_threshold < 1),
    reduction_cap           numeric CHECK (reduction_cap > 0 AND reduction_cap <= 1),
    penalty_factor          numeric CHECK (penalty_factor > 0),
    transitional_from       tsetp.fiscal_year,
    excess_from_year        int CHECK (excess_from_year > 0),
    banking_periods         int NOT NULL DEFAULT 1 CHECK (banking_periods >= 0),
    seeded                  boolean NOT NULL DEFAULT false,
    existing_use_years      tsetp.fiscal_period
);
COMMENT ON TABLE tsetp.programme IS 'An emissions trading programme and its scalar parameters (目標設定型排出量取引制度)';
COMMENT ON COLUMN tsetp.programme.code IS 'Programme code: saitama, tokyo, jvets, or your own';
COMMENT ON COLUMN tsetp.programme.credit_origin IS 'Origin code written into the serial blocks this programme issues (SAI, TKY, JV)';
COMMENT ON COLUMN tsetp.programme.timezone IS 'Time zone of the registry''s business hours and deadlines';
COMMENT ON COLUMN tsetp.programme.coverage_kl IS 'Crude-oil-equivalent energy use (kL) that makes a year count towards coverage (1,500)';
COMMENT ON COLUMN tsetp.programme.coverage_years IS 'Consecutive qualifying fiscal years after which a facility is covered (3)';
COMMENT ON COLUMN tsetp.programme.historical_base_years IS 'Window within which an existing facility chooses the years of its base emissions (FY2002-FY2007)';
COMMENT ON COLUMN tsetp.programme.existing_use_years IS
    'An existing facility (既存事業所) used at least coverage_kl in every one of these years, each a full year (Saitama: FY2006-FY2010); NULL: a facility covered from the first plan period is existing';
COMMENT ON COLUMN tsetp.programme.base_average_years IS 'Consecutive years averaged into historical base emissions (3)';
COMMENT ON COLUMN tsetp.programme.new_base_lookback_years IS 'A new facility chooses its base years within this many years before its first period (4)';
COMMENT ON COLUMN tsetp.programme.revision_threshold IS 'Smallest change, as a fraction of the current base, that revises base emissions (0.06)';
COMMENT ON COLUMN tsetp.programme.reduction_cap IS 'Counted reduction per year is capped at this fraction of that year''s base (0.5); NULL for no cap';
COMMENT ON COLUMN tsetp.programme.penalty_factor IS 'Shortfall multiplier ordered on non-compliance (Tokyo 1.3); NULL where there is none (Saitama)';
COMMENT ON COLUMN tsetp.programme.transitional_from IS 'Facilities covered from this fiscal year on are assessed on the transitional ladder (FY2012)';
COMMENT ON COLUMN tsetp.programme.excess_from_year IS 'Year of the period (1 = first) from which excess reduction can be issued and transferred (2)';
COMMENT ON COLUMN tsetp.programme.banking_periods IS 'How many later periods a credit may be carried into (1: its own period or the next)';
COMMENT ON COLUMN tsetp.programme.seeded IS 'Row shipped with the extension (not dumped); false for rows you added or changed';

-- Plan periods (削減計画期間) and their achievement deadlines.
CREATE TABLE tsetp.plan_period (
    programme   text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    period_no   int NOT NULL CHECK (period_no > 0),
    years       tsetp.fiscal_period NOT NULL,
    deadline    date NOT NULL,
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, period_no),
    CHECK (deadline > tsetp.fy_end(tsetp.upper(years)))
);
COMMENT ON TABLE tsetp.plan_period IS 'Plan periods (削減計画期間) of each programme, with the deadline that ends the adjustment period';
COMMENT ON COLUMN tsetp.plan_period.years IS 'The fiscal years of the period, e.g. FY2020-FY2024';
COMMENT ON COLUMN tsetp.plan_period.deadline IS 'Achievement deadline (目標達成期限): last day to trade and surrender for the period';

-- Plan periods of a programme neither overlap nor go back in time.
CREATE FUNCTION tsetp.plan_period_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    clash record;
BEGIN
    SELECT p.period_no, p.years INTO clash
      FROM tsetp.plan_period p
     WHERE p.programme = NEW.programme AND p.period_no <> NEW.period_no
       AND (p.years OPERATOR(tsetp.&&) NEW.years
            OR (p.period_no < NEW.period_no AND tsetp.lower(p.years) OPERATOR(tsetp.>) tsetp.lower(NEW.years))
            OR (p.period_no > NEW.period_no AND tsetp.lower(p.years) OPERATOR(tsetp.<) tsetp.lower(NEW.years)))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'plan period % of programme "%" (%) conflicts with period % (%)',
            NEW.period_no, NEW.programme, NEW.years, clash.period_no, clash.years
            USING ERRCODE = '23P01',
                  DETAIL = 'Periods of a programme may not overlap and must be numbered in time order.',
                  HINT = 'Check the years of both periods.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.plan_period_check() IS 'Trigger: keeps the plan periods of a programme disjoint and in order';
CREATE TRIGGER plan_period_check BEFORE INSERT OR UPDATE ON tsetp.plan_period
    FOR EACH ROW EXECUTE FUNCTION tsetp.plan_period_check();

-- Facility categories (区分) of a programme.
CREATE TABLE tsetp.category (
    programme   text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    code        text NOT NULL,
    name        text NOT NULL,
    name_ja     text,
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, code)
);
COMMENT ON TABLE tsetp.category IS 'Facility categories of a programme (Saitama 1-1, 1-2, 2; Tokyo I-1, I-2, II)';

-- Standard target rates by period and category.
CREATE TABLE tsetp.target_rate (
    programme   text NOT NULL,
    period_no   int NOT NULL,
    category    text NOT NULL,
    rate        numeric NOT NULL CHECK (rate >= 0 AND rate < 1),
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, period_no, category),
    FOREIGN KEY (programme, period_no) REFERENCES tsetp.plan_period ON UPDATE CASCADE,
    FOREIGN KEY (programme, category) REFERENCES tsetp.category ON UPDATE CASCADE
);
COMMENT ON TABLE tsetp.target_rate IS 'Standard target rates (目標削減率) per period and category; 0.22 = 22%';

-- Transitional ladder (経過措置): in the n-th year of coverage, a year that
-- falls in period_no is assessed at rate instead of the standard rate.
CREATE TABLE tsetp.transitional_rate (
    programme   text NOT NULL,
    period_no   int NOT NULL,
    category    text NOT NULL,
    first_n     int NOT NULL CHECK (first_n >= 1),
    last_n      int CHECK (last_n >= first_n),
    rate        numeric NOT NULL CHECK (rate >= 0 AND rate < 1),
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, period_no, category, first_n),
    FOREIGN KEY (programme, period_no) REFERENCES tsetp.plan_period ON UPDATE CASCADE,
    FOREIGN KEY (programme, category) REFERENCES tsetp.category ON UPDATE CASCADE
);
COMMENT ON TABLE tsetp.transitional_rate IS 'Transitional ladder (経過措置): rate for the first_n..last_n-th years of coverage of facilities covered from programme.transitional_from on';

-- Kinds of certification a facility can hold for a year.
CREATE TABLE tsetp.certification_kind (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name        text NOT NULL,
    name_ja     text,
    seeded      boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE tsetp.certification_kind IS 'Kinds of yearly certification that can bring relief: sme, medical, near_top, top';

-- Relief (緩和措置): what a certification does to the rate in a period.
CREATE TABLE tsetp.relief (
    programme     text NOT NULL,
    period_no     int NOT NULL,
    kind          text NOT NULL REFERENCES tsetp.certification_kind ON UPDATE CASCADE,
    operation     text NOT NULL CHECK (operation IN ('multiply', 'subtract')),
    value         numeric NOT NULL CHECK (value >= 0),
    standard_only boolean NOT NULL DEFAULT true,
    seeded        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, period_no, kind),
    FOREIGN KEY (programme, period_no) REFERENCES tsetp.plan_period ON UPDATE CASCADE,
    CHECK (operation <> 'multiply' OR value <= 1)
);
COMMENT ON TABLE tsetp.relief IS 'Relief (緩和措置) per period and certification: multiply the rate by value (¾ = 0.75) or subtract value (2 points = 0.02)';
COMMENT ON COLUMN tsetp.relief.standard_only IS 'Applies only to standard rates, never to transitional ones';

-- Grounds on which base emissions may (or may never) be revised.
CREATE TABLE tsetp.revision_ground (
    programme   text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    code        text NOT NULL,
    admissible  boolean NOT NULL,
    explanation text NOT NULL,
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, code)
);
COMMENT ON TABLE tsetp.revision_ground IS 'Grounds for revising base emissions (基準排出量の変更), admissible or not, with the reason shown to the user';

-- Standard emission intensities (排出標準原単位) by building use.
CREATE TABLE tsetp.standard_intensity (
    programme   text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    use         text NOT NULL,
    name_ja     text,
    t_per_m2    numeric NOT NULL CHECK (t_per_m2 > 0),
    seeded      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, use)
);
COMMENT ON TABLE tsetp.standard_intensity IS 'Standard emission intensities (排出標準原単位) in t-CO2 per m2 of floor area and year, by use';

-- Credit kinds (クレジット等) of a programme and their limits.
CREATE TABLE tsetp.credit_kind (
    programme         text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    code              text NOT NULL CHECK (code ~ '^[A-Za-z0-9]{1,8}$'),
    name              text NOT NULL,
    name_ja           text,
    transferable      boolean NOT NULL DEFAULT true,
    own_facility_only boolean NOT NULL DEFAULT false,
    cap_numerator     int,
    cap_denominator   int,
    seeded            boolean NOT NULL DEFAULT false,
    excess_reduction  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (programme, code),
    CHECK ((cap_numerator IS NULL) = (cap_denominator IS NULL)),
    CHECK (cap_numerator > 0 AND cap_denominator >= cap_numerator)
);
COMMENT ON TABLE tsetp.credit_kind IS 'Credit kinds (クレジット等) of a programme and their limits';
COMMENT ON COLUMN tsetp.credit_kind.transferable IS 'False: stays in the account it was issued to (other-gas reduction)';
COMMENT ON COLUMN tsetp.credit_kind.own_facility_only IS 'Counts only for the facility that made it';
COMMENT ON COLUMN tsetp.credit_kind.excess_reduction IS
    'The kind the registry issues for the excess reduction (超過削減量) the engine computes (ER in Saitama and Tokyo): issued only as computed, transferable from the programme''s excess_from_year-th year of a period; at most one per programme';
CREATE UNIQUE INDEX credit_kind_one_excess ON tsetp.credit_kind (programme) WHERE excess_reduction;
COMMENT ON INDEX tsetp.credit_kind_one_excess IS 'A programme has at most one kind of excess reduction';
COMMENT ON COLUMN tsetp.credit_kind.cap_numerator IS 'With cap_denominator: at most this exact fraction of a facility''s reduction obligation for a period may be met with this kind (out-of-area: 1/3); NULL for no cap';
COMMENT ON COLUMN tsetp.credit_kind.cap_denominator IS 'Denominator of the surrender cap (3 for one third)';

-- Makes a table a configuration table: shipped rows are marked, a user row
-- replaces the shipped row with the same key, and pg_dump keeps user rows.
-- The trigger fires ALWAYS, also while a dump is restored with
-- session_replication_role = replica (see 99_dump.sql) and while CREATE
-- EXTENSION runs in that mode.
CREATE FUNCTION tsetp.register_config_table(tab regclass, keycols text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER config_row BEFORE INSERT OR UPDATE ON %s
                    FOR EACH ROW EXECUTE FUNCTION tsetp.config_row(%s)',
                   tab, (SELECT string_agg(quote_literal(k), ', ') FROM unnest(keycols) k));
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER config_row', tab);
    PERFORM pg_catalog.pg_extension_config_dump(tab, 'WHERE NOT seeded');
END
$$;
COMMENT ON FUNCTION tsetp.register_config_table(regclass, text[]) IS
    'Install-script helper: makes a table a configuration table (shipped rows marked, user rows dumped, a user row replaces the shipped row with its key)';
REVOKE EXECUTE ON FUNCTION tsetp.register_config_table(regclass, text[]) FROM PUBLIC;

SELECT tsetp.register_config_table(('tsetp.' || tab)::regclass, keycols)
  FROM (VALUES
        ('programme', ARRAY['code']),
        ('plan_period', ARRAY['programme', 'period_no']),
        ('category', ARRAY['programme', 'code']),
        ('target_rate', ARRAY['programme', 'period_no', 'category']),
        ('transitional_rate', ARRAY['programme', 'period_no', 'category', 'first_n']),
        ('certification_kind', ARRAY['code']),
        ('relief', ARRAY['programme', 'period_no', 'kind']),
        ('revision_ground', ARRAY['programme', 'code']),
        ('standard_intensity', ARRAY['programme', 'use']),
        ('credit_kind', ARRAY['programme', 'code'])) AS v(tab, keycols);
-- Shipped configuration: Saitama (periods 1-4), Tokyo (periods 1-4), JVETS.
-- Figures: SPEC §1.2-1.8 and the Saitama briefing (令和5年度 事業者説明会).

INSERT INTO tsetp.programme (code, name, name_ja, credit_origin, coverage_kl, coverage_years,
        historical_base_years, base_average_years, new_base_lookback_years,
        revision_threshold, reduction_cap, penalty_factor, transitional_from,
        excess_from_year, banking_periods) VALUES
    ('saitama', 'Saitama Target-Setting Emissions Trading Program', '埼玉県目標設定型排出量取引制度', 'SAI',
        1500, 3, 'FY2002-FY2007', 3, 4, 0.06, 0.5, NULL, 'FY2012', 2, 1),
    ('tokyo', 'Tokyo Cap-and-Trade Program', '東京都総量削減義務と排出量取引制度', 'TKY',
        1500, 3, 'FY2002-FY2007', 3, 4, 0.06, 0.5, 1.3, NULL, 2, 1),
    ('jvets', 'Japan''s Voluntary Emissions Trading Scheme', '自主参加型国内排出量取引制度', 'JV',
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0);
-- Saitama: existing facilities used 1,500 kL or more in each of FY2006-FY2010.
UPDATE tsetp.programme SET existing_use_years = 'FY2006-FY2010' WHERE code = 'saitama';

INSERT INTO tsetp.plan_period (programme, period_no, years, deadline) VALUES
    ('saitama', 1, 'FY2011-FY2014', '2016-09-30'),
    ('saitama', 2, 'FY2015-FY2019', '2021-09-30'),
    ('saitama', 3, 'FY2020-FY2024', '2026-09-30'),
    ('saitama', 4, 'FY2025-FY2029', '2031-09-30'),
    ('tokyo', 1, 'FY2010-FY2014', '2016-09-30'),
    ('tokyo', 2, 'FY2015-FY2019', '2021-09-30'),
    ('tokyo', 3, 'FY2020-FY2024', '2026-09-30'),
    ('tokyo', 4, 'FY2025-FY2029', '2031-09-30');

INSERT INTO tsetp.category (programme, code, name, name_ja) VALUES
    ('saitama', '1-1', 'Offices, commercial and education buildings', '第1区分① オフィスビル・商業施設・教育施設など'),
    ('saitama', '1-2', 'Category 1-1 buildings using at least 20% heat supplied from outside', '第1区分② 事業所外から供給された熱が2割以上'),
    ('saitama', '2', 'Factories, waste and water works', '第2区分 工場・廃棄物施設・上下水道施設など'),
    ('tokyo', 'I-1', 'Offices and commercial buildings', '第一区分事業所（区分I-1）'),
    ('tokyo', 'I-2', 'Offices and commercial buildings relying heavily on district heating', '第一区分事業所（区分I-2）'),
    ('tokyo', 'II', 'Factories and other facilities', '第二区分事業所');

INSERT INTO tsetp.target_rate (programme, period_no, category, rate)
SELECT v.programme, v.period_no, c.category, CASE c.ord WHEN 1 THEN v.rate_1 ELSE v.rate_2 END
  FROM (VALUES ('saitama', 1, 0.08, 0.06), ('saitama', 2, 0.15, 0.13),
               ('saitama', 3, 0.22, 0.20), ('saitama', 4, 0.50, 0.48),
               ('tokyo', 1, 0.08, 0.06), ('tokyo', 2, 0.17, 0.15),
               ('tokyo', 3, 0.27, 0.25), ('tokyo', 4, 0.50, 0.48))
       AS v(programme, period_no, rate_1, rate_2)
  JOIN (VALUES ('saitama', '1-1', 1), ('saitama', '1-2', 2), ('saitama', '2', 2),
               ('tokyo', 'I-1', 1), ('tokyo', 'I-2', 2), ('tokyo', 'II', 2))
       AS c(programme, category, ord) USING (programme);

-- Saitama's ladder: a facility covered from FY2012 on is assessed at period
-- 1's rate in its 1st-4th year of coverage and at period 2's in its 5th-9th,
-- whichever period the year falls in; from the 10th year at the standard
-- rate. Period 4's own transitional values are added as rows when published.
INSERT INTO tsetp.transitional_rate (programme, period_no, category, first_n, last_n, rate)
SELECT 'saitama', p.period_no, r.category, l.first_n, l.last_n, r.rate
  FROM (VALUES (1), (2), (3)) AS p(period_no)
  JOIN (VALUES (1, 4, 1), (5, 9, 2)) AS l(first_n, last_n, rate_period) ON l.rate_period <= p.period_no
  JOIN tsetp.target_rate r ON r.programme = 'saitama' AND r.period_no = l.rate_period;

INSERT INTO tsetp.certification_kind (code, name, name_ja) VALUES
    ('sme', 'Facility of a small or medium enterprise', '中小企業が設置する事業所'),
    ('medical', 'Medical facility', '医療施設'),
    ('near_top', 'Near-top-level facility', '準トップレベル事業所'),
    ('top', 'Top-level facility', 'トップレベル事業所');

INSERT INTO tsetp.relief (programme, period_no, kind, operation, value, standard_only) VALUES
    ('saitama', 3, 'sme', 'multiply', 0.75, true),
    ('saitama', 3, 'medical', 'subtract', 0.02, true),
    ('saitama', 4, 'sme', 'subtract', 0.04, true),
    ('saitama', 4, 'medical', 'subtract', 0.02, true);
INSERT INTO tsetp.relief (programme, period_no, kind, operation, value, standard_only)
SELECT p.programme, p.period_no, k.kind, 'multiply', k.value, false
  FROM tsetp.plan_period p
 CROSS JOIN (VALUES ('near_top', 0.75), ('top', 0.5)) AS k(kind, value);

INSERT INTO tsetp.revision_ground (programme, code, admissible, explanation)
SELECT p.code, g.code, g.admissible, g.explanation
  FROM tsetp.programme p
 CROSS JOIN (VALUES
    ('floor_area', true, 'Floor area was added or removed (床面積の増減).'),
    ('use', true, 'The use of the facility changed to another use category (用途の変更).'),
    ('equipment', true, 'Equipment that changes the amount, kind or nature of activity was added or removed (設備の増減).'),
    ('heat_customers', true, 'The floor area of the heat supplier''s customers changed (熱供給先事業所の床面積の増減).'),
    ('operating_hours', false, 'Changes in operating or opening hours without a change of building or equipment are never grounds for revision (営業時間や工場稼働時間の変更は対象外).'),
    ('production', false, 'Changes in production or activity without a change of building or equipment are never grounds for revision (生産活動等の変化は対象外).'),
    ('weather', false, 'Weather and other external factors are never grounds for revision (気候などの外的要因は対象外).'))
    AS g(code, admissible, explanation)
 WHERE p.revision_threshold IS NOT NULL;

INSERT INTO tsetp.standard_intensity (programme, use, name_ja, t_per_m2) VALUES
    ('saitama', 'commercial', '商業施設', 0.160);

INSERT INTO tsetp.credit_kind (programme, code, name, name_ja, transferable, own_facility_only,
                               cap_numerator, cap_denominator, excess_reduction) VALUES
    ('saitama', 'ER', 'Excess reduction', '超過削減量', true, false, NULL, NULL, true),
    ('saitama', 'OG', 'Other-gas reduction', 'その他ガス削減量', false, true, NULL, NULL, false),
    ('saitama', 'SME', 'In-prefecture small and medium credit', '県内中小クレジット', true, false, NULL, NULL, false),
    ('saitama', 'OUT', 'Out-of-prefecture credit', '県外クレジット', true, false, 1, 3, false),
    ('saitama', 'RE', 'Renewable energy credit', '再エネクレジット', true, false, NULL, NULL, false),
    ('saitama', 'FOR', 'Forest absorption credit', '森林吸収クレジット', true, false, NULL, NULL, false),
    ('saitama', 'TKY', 'Tokyo-linked credit', '東京連携クレジット', true, false, NULL, NULL, false),
    ('tokyo', 'ER', 'Excess reduction', '超過削減量', true, false, NULL, NULL, true),
    ('tokyo', 'OG', 'Other-gas reduction', 'その他ガス削減量', false, true, NULL, NULL, false),
    ('tokyo', 'SME', 'In-Tokyo small and medium credit', '都内中小クレジット', true, false, NULL, NULL, false),
    ('tokyo', 'OUT', 'Out-of-Tokyo credit', '都外クレジット', true, false, 1, 3, false),
    ('tokyo', 'RE', 'Renewable energy credit', '再エネクレジット', true, false, NULL, NULL, false),
    ('tokyo', 'SAI', 'Saitama-linked credit', '埼玉連携クレジット', true, false, NULL, NULL, false),
    ('jvets', 'JPA', 'Japan allowance', '排出枠（JPA）', true, false, NULL, NULL, false),
    ('jvets', 'CER', 'Certified emission reduction', 'CER', true, false, NULL, NULL, false),
    ('jvets', 'jCER', 'Japan certified emission reduction', 'jCER', true, false, NULL, NULL, false);
-- Facilities and the data they report: energy use, emissions, base emissions
-- and their revisions, certifications. Constraints and triggers refuse every
-- illegal row, whichever client writes it.

CREATE TABLE tsetp.facility (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme     text NOT NULL REFERENCES tsetp.programme ON UPDATE CASCADE,
    code          text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,32}$'),
    name          text NOT NULL CHECK (name <> ''),
    operator      text NOT NULL CHECK (operator <> ''),
    category      text NOT NULL,
    use           text,
    floor_area_m2 numeric CHECK (floor_area_m2 > 0),
    UNIQUE (programme, code),
    FOREIGN KEY (programme, category) REFERENCES tsetp.category ON UPDATE CASCADE
);
COMMENT ON TABLE tsetp.facility IS 'Facilities (事業所) of a programme: one building or site, or several sharing an energy supply point';
COMMENT ON COLUMN tsetp.facility.code IS 'Facility number given by the programme (事業所番号); also the source of its excess-reduction credits';
COMMENT ON COLUMN tsetp.facility.operator IS 'Operator (事業者) and holder of the facility''s designated account';
COMMENT ON COLUMN tsetp.facility.category IS 'Target-rate category of the programme (Saitama 1-1, 1-2, 2)';
COMMENT ON COLUMN tsetp.facility.use IS 'Building use for standard intensities (commercial, ...)';

CREATE TABLE tsetp.energy_use (
    facility_id   bigint NOT NULL REFERENCES tsetp.facility ON DELETE CASCADE,
    fy            tsetp.fiscal_year NOT NULL,
    crude_oil_kl  numeric NOT NULL CHECK (crude_oil_kl >= 0),
    full_year     boolean NOT NULL DEFAULT true,
    PRIMARY KEY (facility_id, fy)
);
COMMENT ON TABLE tsetp.energy_use IS 'Crude-oil-equivalent energy use of a facility per fiscal year (原油換算エネルギー使用量)';
COMMENT ON COLUMN tsetp.energy_use.full_year IS 'False for the year the facility started operating part-way: it never counts as the first year of coverage';

CREATE TABLE tsetp.emission (
    facility_id   bigint NOT NULL REFERENCES tsetp.facility ON DELETE CASCADE,
    fy            tsetp.fiscal_year NOT NULL,
    amount        tsetp.tco2 NOT NULL CHECK (amount >= '0'),
    verified_by   text CHECK (verified_by <> ''),
    verified_at   timestamptz,
    PRIMARY KEY (facility_id, fy),
    CHECK (verified_at IS NULL OR verified_by IS NOT NULL)
);
COMMENT ON TABLE tsetp.emission IS 'Energy-origin CO2 of a facility per fiscal year (実績排出量); unverified while verified_by is NULL';
COMMENT ON COLUMN tsetp.emission.verified_by IS 'Verifier (検証機関) that verified the amount; NULL while not yet verified';

CREATE TABLE tsetp.base_emission (
    facility_id    bigint NOT NULL REFERENCES tsetp.facility,
    effective_from tsetp.fiscal_year NOT NULL,
    amount         tsetp.tco2 NOT NULL CHECK (amount > '0'),
    method         text NOT NULL CHECK (method IN ('historical', 'intensity', 'agreed')),
    reason         text,
    recorded_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (facility_id, effective_from)
);
COMMENT ON TABLE tsetp.base_emission IS 'Base emissions (基準排出量) of a facility: the first row sets it, each later row is a revision from its fiscal year';
COMMENT ON COLUMN tsetp.base_emission.method IS 'How the amount was found: historical (average of three years), intensity (floor area × standard intensity), agreed';
COMMENT ON COLUMN tsetp.base_emission.reason IS 'Ground of a revision (tsetp.revision_ground); NULL on the first row';

-- A revision needs an admissible ground and a change of at least the
-- programme's threshold of the base in force; the history only grows.
CREATE FUNCTION tsetp.base_emission_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fac      tsetp.facility;
    prog     tsetp.programme;
    latest   tsetp.base_emission;
    ground   tsetp.revision_ground;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'base emissions cannot be changed or deleted'
            USING ERRCODE = 'TB005',
                  DETAIL = 'Base emissions are a history: the first row sets them, each later row revises them.',
                  HINT = 'Insert a revision with a later effective_from and an admissible reason.';
    END IF;
    -- Locking the facility row serialises concurrent revisions of its base.
    SELECT * INTO STRICT fac FROM tsetp.facility WHERE id = NEW.facility_id FOR NO KEY UPDATE;
    SELECT * INTO STRICT prog FROM tsetp.programme WHERE code = fac.programme;
    SELECT * INTO latest FROM tsetp.base_emission b
     WHERE b.facility_id = NEW.facility_id
     ORDER BY b.effective_from DESC LIMIT 1;
    IF NOT FOUND THEN
        IF NEW.reason IS NOT NULL THEN
            RAISE EXCEPTION 'first base emissions of facility % cannot have a revision reason', fac.code
                USING ERRCODE = 'TB004',
                      DETAIL = pg_catalog.format('Reason "%s" was given, but the facility has no base emissions yet.', NEW.reason),
                      HINT = 'Leave reason NULL on the first row.';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.effective_from OPERATOR(tsetp.<=) latest.effective_from THEN
        RAISE EXCEPTION 'revision of base emissions of facility % must take effect after %', fac.code, latest.effective_from
            USING ERRCODE = 'TB004',
                  DETAIL = pg_catalog.format('The latest base emissions (%s t) took effect in %s; the revision is dated %s.',
                                             latest.amount, latest.effective_from, NEW.effective_from),
                  HINT = 'Revisions apply from the fiscal year of the change onwards.';
    END IF;
    IF NEW.reason IS NULL THEN
        RAISE EXCEPTION 'revision of base emissions of facility % needs a reason', fac.code
            USING ERRCODE = 'TB003',
                  DETAIL = 'Base emissions may be revised only for a change of floor area, use, activity equipment or heat customers'' floor area.',
                  HINT = (SELECT 'Admissible reasons: ' || pg_catalog.string_agg(g.code, ', ' ORDER BY g.code)
                            FROM tsetp.revision_ground g WHERE g.programme = prog.code AND g.admissible);
    END IF;
    SELECT * INTO ground FROM tsetp.revision_ground g WHERE g.programme = prog.code AND g.code = NEW.reason;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown reason "%" for revising base emissions', NEW.reason
            USING ERRCODE = 'TB003',
                  DETAIL = pg_catalog.format('Programme %s has no revision ground "%s".', prog.code, NEW.reason),
                  HINT = (SELECT 'Admissible reasons: ' || pg_catalog.string_agg(g.code, ', ' ORDER BY g.code)
                            FROM tsetp.revision_ground g WHERE g.programme = prog.code AND g.admissible);
    END IF;
    IF NOT ground.admissible THEN
        RAISE EXCEPTION '"%" is not a ground for revising base emissions', NEW.reason
            USING ERRCODE = 'TB002',
                  DETAIL = ground.explanation,
                  HINT = 'Base emissions are revised only for a change of floor area, use, activity equipment or heat customers'' floor area.';
    END IF;
    IF NOT tsetp.revision_required(latest.amount, NEW.amount, prog.revision_threshold) THEN
        RAISE EXCEPTION 'change of base emissions of facility % is below the revision threshold', fac.code
            USING ERRCODE = 'TB001',
                  DETAIL = pg_catalog.format('The change from %s t to %s t is %s t; a revision needs at least %s of the current base, %s t.',
                                             latest.amount, NEW.amount,
                                             tsetp.abs(NEW.amount OPERATOR(tsetp.-) latest.amount),
                                             pg_catalog.trim_scale(prog.revision_threshold * 100) || '%',
                                             latest.amount OPERATOR(tsetp.*) prog.revision_threshold),
                  HINT = 'Smaller changes are absorbed by the facility''s own reduction.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsetp.base_emission_check() IS 'Trigger: enforces the revision rules of base emissions (threshold and admissible grounds) and keeps their history append-only';
CREATE TRIGGER base_emission_check BEFORE INSERT OR UPDATE OR DELETE ON tsetp.base_emission
    FOR EACH ROW EXECUTE FUNCTION tsetp.base_emission_check();
CREATE TRIGGER base_emission_no_truncate BEFORE TRUNCATE ON tsetp.base_emission
    FOR EACH STATEMENT EXECUTE FUNCTION tsetp.base_emission_check();

CREATE TABLE tsetp.certification (
    facility_id   bigint NOT NULL REFERENCES tsetp.facility ON DELETE CASCADE,
    fy            tsetp.fiscal_year NOT NULL,
    kind          text NOT NULL REFERENCES tsetp.certification_kind ON UPDATE CASCADE,
    PRIMARY KEY (facility_id, fy, kind)
);
COMMENT ON TABLE tsetp.certification IS 'Yearly certifications of a facility that may bring relief: sme, medical, near_top, top';

CREATE INDEX ON tsetp.facility (programme, category);

-- Who acts for whom: facility operators and account holders are names;
-- these rows say which database roles act for them.
CREATE TABLE tsetp.holder_member (
    holder  text NOT NULL CHECK (holder <> ''),
    member  name NOT NULL,
    PRIMARY KEY (holder, member)
);
COMMENT ON TABLE tsetp.holder_member IS
    'Which database roles act for an account holder or facility operator (a member of the role listed acts too); row-level security shows an operator only its own facilities, accounts and transactions';

-- Whether the current role may see an account holder's rows in the reports.
-- (No SET clause: the body's names are bound when it is created, and
-- without one the planner can inline it into the views that filter on it.)
CREATE FUNCTION tsetp.sees_holder(holder text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN pg_catalog.pg_has_role('tsetp_admin', 'MEMBER')
        OR pg_catalog.pg_has_role('tsetp_reader', 'MEMBER')
        OR EXISTS (SELECT 1 FROM tsetp.holder_member m
                    WHERE m.holder = $1 AND pg_catalog.pg_has_role(m.member, 'MEMBER'));
COMMENT ON FUNCTION tsetp.sees_holder(text) IS
    'True when the current role is a tsetp_admin or tsetp_reader, or acts for the holder (tsetp.holder_member)';

-- Facility data belongs to the user: pg_dump must keep all of it.
SELECT pg_catalog.pg_extension_config_dump('tsetp.facility', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('tsetp.facility', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.energy_use', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.emission', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.base_emission', '');
SELECT pg_catalog.pg_extension_config_dump('tsetp.certification', '');
-- The compliance engine: views that gather each facility-period's rows
-- set-wise and evaluate it once, in C, with the rule formulas of
-- 40_rules.sql (period_years, period_totals). Coverage, base emissions,
-- rates, targets and reductions all come from here, so assessment,
-- projection, issuance of excess and the reports share one evaluation.

-- Coverage: covered from the fiscal year after the coverage_years-th of a run
-- of consecutive full years at or above the programme's energy threshold, and
-- not before the programme's first plan period. A part-way first year never
-- counts (energy_use.full_year = false). This computes it for any facilities;
-- tsetp.coverage keeps the result, refreshed by triggers whenever energy use
-- or the programme's parameters change, so that reports need not recompute
-- it from every year of energy data.
CREATE FUNCTION tsetp.computed_coverage(facility_ids bigint[])
    RETURNS TABLE (facility_id bigint, coverage_start tsetp.fiscal_year)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT q.facility_id,
           GREATEST((min(q.run_start) + q.coverage_years)::tsetp.fiscal_year,
                    (SELECT tsetp.min(tsetp.lower(pp.years)) FROM tsetp.plan_period pp
                      WHERE pp.programme = q.programme))
      FROM (SELECT r.facility_id, r.programme, r.coverage_years,
                   min(r.year) AS run_start, count(*) AS run_length
              FROM (SELECT e.facility_id, f.programme, e.fy::int AS year, p.coverage_years,
                           e.fy::int - row_number() OVER (PARTITION BY e.facility_id ORDER BY e.fy) AS island
                      FROM tsetp.energy_use e
                      JOIN tsetp.facility f ON f.id = e.facility_id
                      JOIN tsetp.programme p ON p.code = f.programme
                     WHERE e.facility_id = ANY ($1)
                       AND e.full_year AND e.crude_oil_kl >= p.coverage_kl) r
             GROUP BY r.facility_id, r.programme, r.coverage_years, r.island) q
     WHERE q.run_length >= q.coverage_years
     GROUP BY q.facility_id, q.programme, q.coverage_years;
END;
COMMENT ON FUNCTION tsetp.computed_coverage(bigint[]) IS 'First covered fiscal year of the given facilities, computed from their energy use and the programme''s coverage rule';

CREATE TABLE tsetp.coverage (
    facility_id    bigint PRIMARY KEY REFERENCES tsetp.facility ON DELETE CASCADE,
    coverage_start tsetp.fiscal_year NOT NULL
);
COMMENT ON TABLE tsetp.coverage IS 'First covered fiscal year of each covered facility, kept equal to tsetp.computed_coverage() by triggers on energy use, programmes and plan periods';

-- Recomputes the coverage of the given facilities.
CREATE FUNCTION tsetp.refresh_coverage(facility_ids bigint[]) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    DELETE FROM tsetp.coverage c
     WHERE c.facility_id = ANY ($1)
       AND NOT EXISTS (SELECT 1 FROM tsetp.computed_coverage($1) n
                        WHERE n.facility_id = c.facility_id AND n.coverage_start = c.coverage_start);
    INSERT INTO tsetp.coverage (facility_id, coverage_start)
    SELECT n.facility_id, n.coverage_start FROM tsetp.computed_coverage($1) n
    ON CONFLICT (facility_id) DO UPDATE SET coverage_start = excluded.coverage_start
     WHERE tsetp.coverage.coverage_start <> excluded.coverage_start;
END;
COMMENT ON FUNCTION tsetp.refresh_coverage(bigint[]) IS 'Recomputes tsetp.coverage for the given facilities';

-- Statement triggers: one recomputation per statement, however many rows.
CREATE FUNCTION tsetp.energy_use_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tsetp.refresh_coverage(ARRAY(SELECT DISTINCT n.facility_id FROM new_rows n));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tsetp.refresh_coverage(ARRAY(SELECT n.facility_id FROM new_rows n
                                              UNION SELECT o.facility_id FROM old_rows o));
    ELSE
        PERFORM tsetp.refresh_coverage(ARRAY(SELECT DISTINCT o.facility_id FROM old_rows o));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.energy_use_changed() IS 'Trigger: refreshes the coverage of the facilities whose energy use a statement changed (as the owner: coverage is derived, no role writes it)';
CREATE TRIGGER energy_use_inserted AFTER INSERT ON tsetp.energy_use
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.energy_use_changed();
CREATE TRIGGER energy_use_updated AFTER UPDATE ON tsetp.energy_use
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.energy_use_changed();
CREATE TRIGGER energy_use_deleted AFTER DELETE ON tsetp.energy_use
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.energy_use_changed();

-- A change of the coverage rule or of a programme's periods recomputes the
-- coverage of every facility of the programmes concerned.
CREATE FUNCTION tsetp.coverage_rule_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME = 'programme' THEN
        PERFORM tsetp.refresh_coverage(ARRAY(
            SELECT f.id FROM tsetp.facility f WHERE f.programme IN (SELECT n.code FROM new_rows n)));
    ELSIF TG_TABLE_NAME = 'plan_period' THEN
        PERFORM tsetp.refresh_coverage(ARRAY(
            SELECT f.id FROM tsetp.facility f WHERE f.programme IN (SELECT n.programme FROM new_rows n)));
    ELSE
        PERFORM tsetp.refresh_coverage(ARRAY(SELECT n.id FROM new_rows n));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.coverage_rule_changed() IS 'Trigger: refreshes coverage when a programme''s coverage rule or its plan periods change';
CREATE TRIGGER programme_coverage_rule AFTER UPDATE ON tsetp.programme
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.coverage_rule_changed();
CREATE TRIGGER plan_period_coverage_rule AFTER INSERT ON tsetp.plan_period
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.coverage_rule_changed();
CREATE TRIGGER plan_period_coverage_rule_update AFTER UPDATE ON tsetp.plan_period
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.coverage_rule_changed();
CREATE TRIGGER facility_coverage_rule AFTER UPDATE ON tsetp.facility
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.coverage_rule_changed();

CREATE VIEW tsetp.facility_coverage AS
SELECT c.facility_id, c.coverage_start FROM tsetp.coverage c;
COMMENT ON VIEW tsetp.facility_coverage IS 'First covered fiscal year of each covered facility: the year after three consecutive full years at 1,500 kL or more (as configured), and not before the programme''s first plan period';

CREATE FUNCTION tsetp.coverage_start(facility_id bigint) RETURNS tsetp.fiscal_year
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT c.coverage_start FROM tsetp.facility_coverage c WHERE c.facility_id = $1);
COMMENT ON FUNCTION tsetp.coverage_start(bigint) IS 'First fiscal year in which the facility is covered; NULL while it is not';

-- Base emissions in force, as half-open runs of fiscal years.
CREATE VIEW tsetp.base_history AS
SELECT b.facility_id, b.effective_from,
       pg_catalog.lead(b.effective_from) OVER (PARTITION BY b.facility_id ORDER BY b.effective_from) AS effective_until,
       b.amount, b.method, b.reason
  FROM tsetp.base_emission b;
COMMENT ON VIEW tsetp.base_history IS 'Base emissions of each facility with the fiscal year each value stops applying (NULL: still in force)';

CREATE FUNCTION tsetp.base_at(facility_id bigint, fy tsetp.fiscal_year) RETURNS tsetp.tco2
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT b.amount FROM tsetp.base_emission b
             WHERE b.facility_id = $1 AND b.effective_from <= $2
             ORDER BY b.effective_from DESC LIMIT 1);
COMMENT ON FUNCTION tsetp.base_at(bigint, tsetp.fiscal_year) IS 'Base emissions in force for the facility in a fiscal year, revisions applied; NULL before the first';

-- Every candidate for historical base emissions: averages of
-- base_average_years consecutive years within the window that applies: the
-- programme's historical window for an existing facility (one that used
-- coverage_kl in every full year of existing_use_years, or, where the
-- programme sets none, one covered from its first period), else the
-- new_base_lookback_years before coverage starts.
CREATE FUNCTION tsetp.base_candidates(facility_id bigint)
    RETURNS TABLE (years tsetp.fiscal_period, average tsetp.tco2)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH f AS (
        SELECT f.id, p.base_average_years AS n,
               CASE WHEN CASE WHEN p.existing_use_years IS NOT NULL
                              THEN (SELECT pg_catalog.count(*) FROM tsetp.energy_use u
                                     WHERE u.facility_id = f.id AND u.fy <@ p.existing_use_years
                                       AND u.full_year AND u.crude_oil_kl >= p.coverage_kl)
                                   = tsetp.upper(p.existing_use_years)::int - tsetp.lower(p.existing_use_years)::int + 1
                              ELSE c.coverage_start <= (SELECT tsetp.lower(pp.years) FROM tsetp.plan_period pp
                                                         WHERE pp.programme = p.code ORDER BY pp.period_no LIMIT 1)
                         END
                    THEN p.historical_base_years
                    ELSE tsetp.fiscal_period(c.coverage_start - p.new_base_lookback_years,
                                             c.coverage_start - 1)
               END AS window_years
          FROM tsetp.facility f
          JOIN tsetp.programme p ON p.code = f.programme
          JOIN tsetp.facility_coverage c ON c.facility_id = f.id
         WHERE f.id = $1
    ), runs AS (
        SELECT tsetp.fiscal_period(s.fy, s.fy + (f.n - 1)) AS years, f.n
          FROM f CROSS JOIN LATERAL tsetp.fiscal_years(f.window_years) AS s(fy)
         WHERE (s.fy + (f.n - 1)) <@ f.window_years
    )
    SELECT r.years, tsetp.sum(e.amount) / r.n
      FROM runs r
      JOIN tsetp.emission e ON e.facility_id = $1 AND e.fy <@ r.years
     GROUP BY r.years, r.n
    HAVING pg_catalog.count(*) = r.n
     ORDER BY r.years;
END;
COMMENT ON FUNCTION tsetp.base_candidates(bigint) IS 'The three-consecutive-year averages the operator may choose as historical base emissions';

CREATE FUNCTION tsetp.standard_base(programme text, use text, floor_area_m2 numeric) RETURNS tsetp.tco2
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT pg_catalog.round($3 * i.t_per_m2, 3)::tsetp.tco2
              FROM tsetp.standard_intensity i WHERE i.programme = $1 AND i.use = $2);
COMMENT ON FUNCTION tsetp.standard_base(text, text, numeric) IS 'Base emissions from floor area × the standard emission intensity of the use (commercial 0.160 t/m²: 50,000 m² → 8,000 t)';

-- The evaluation of a facility's plan period, year by year (period.c): the
-- covered years, the base in force, the rate before relief (the first rung
-- of the transitional ladder that applies, else the standard rate), the
-- relief giving the lowest rate, then target, reduction and counted
-- reduction, with the same formulas as year_target(), apply_relief(),
-- counted_reduction() and the others. period_years() returns the years,
-- period_totals() the period's totals.
CREATE FUNCTION tsetp.period_years(
        coverage_start tsetp.fiscal_year, years tsetp.fiscal_period, standard_rate numeric,
        ladder_first_n int[], ladder_last_n int[], ladder_rates numeric[], reduction_cap numeric,
        base_from tsetp.fiscal_year[], base_amounts tsetp.tco2[],
        emission_years tsetp.fiscal_year[], emission_amounts tsetp.tco2[], emission_verified boolean[],
        relief_years tsetp.fiscal_year[], relief_kinds text[], relief_operations text[],
        relief_values numeric[], relief_standard_only boolean[])
    RETURNS TABLE (fy tsetp.fiscal_year, coverage_year int, base tsetp.tco2,
                   rate_before_relief numeric, transitional boolean, relief text, rate numeric,
                   target tsetp.tco2, emissions tsetp.tco2, verified boolean,
                   reduction tsetp.tco2, counted_reduction tsetp.tco2)
    AS 'MODULE_PATHNAME', 'tsetp_period_years'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION tsetp.period_years(tsetp.fiscal_year, tsetp.fiscal_period, numeric, int[], int[], numeric[], numeric,
                                       tsetp.fiscal_year[], tsetp.tco2[], tsetp.fiscal_year[], tsetp.tco2[], boolean[],
                                       tsetp.fiscal_year[], text[], text[], numeric[], boolean[]) IS
    'Each covered year of a facility''s plan period from its rows (as facility_period_input gathers them): base in force, rate before relief (first ladder rung in first_n order that applies, else the standard rate), the relief giving the lowest rate (ties: the first in input order; standard-only reliefs skip transitional rates), target, emissions, reduction and counted reduction';

CREATE FUNCTION tsetp.period_totals(
        coverage_start tsetp.fiscal_year, years tsetp.fiscal_period, standard_rate numeric,
        ladder_first_n int[], ladder_last_n int[], ladder_rates numeric[], reduction_cap numeric,
        base_from tsetp.fiscal_year[], base_amounts tsetp.tco2[],
        emission_years tsetp.fiscal_year[], emission_amounts tsetp.tco2[], emission_verified boolean[],
        relief_years tsetp.fiscal_year[], relief_kinds text[], relief_operations text[],
        relief_values numeric[], relief_standard_only boolean[])
    RETURNS TABLE (years_covered int, years_verified int, first_year tsetp.fiscal_year,
                   last_verified_year tsetp.fiscal_year, base_total tsetp.tco2, target_total tsetp.tco2,
                   target_verified tsetp.tco2, emissions_total tsetp.tco2, reduction_total tsetp.tco2,
                   counted_total tsetp.tco2, excess tsetp.tco2, pending boolean)
    AS 'MODULE_PATHNAME', 'tsetp_period_totals'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION tsetp.period_totals(tsetp.fiscal_year, tsetp.fiscal_period, numeric, int[], int[], numeric[], numeric,
                                        tsetp.fiscal_year[], tsetp.tco2[], tsetp.fiscal_year[], tsetp.tco2[], boolean[],
                                        tsetp.fiscal_year[], text[], text[], numeric[], boolean[]) IS
    'Totals of a facility''s plan period over the years period_years() gives (no row when none is covered): base and target of every covered year; emissions, target and reduction of the verified years, and counted reduction of those with a target (a year without a rate earns no excess); excess = greatest(counted − target of the verified years, 0); pending while a year lacks verified emissions, a base or a rate';

-- Everything the evaluation of a facility's plan period needs, one row per
-- facility and plan period, the facility's rows of the period gathered into
-- arrays: a report then evaluates each facility-period once, without a join
-- per facility-year. A filter on facility_id, programme or period_no reaches
-- every table read.
CREATE VIEW tsetp.facility_period_input AS
SELECT f.id AS facility_id, f.programme, f.category, pp.period_no, pp.years,
       c.coverage_start, s.rate AS standard_rate,
       l.first_n AS ladder_first_n, l.last_n AS ladder_last_n, l.rates AS ladder_rates,
       p.reduction_cap,
       b.effective_from AS base_from, b.amounts AS base_amounts,
       e.fys AS emission_years, e.amounts AS emission_amounts, e.verified AS emission_verified,
       r.fys AS relief_years, r.kinds AS relief_kinds, r.operations AS relief_operations,
       r.relief_values, r.standard_only AS relief_standard_only
  FROM tsetp.facility f
  JOIN tsetp.programme p ON p.code = f.programme
  JOIN tsetp.coverage c ON c.facility_id = f.id
  JOIN tsetp.plan_period pp ON pp.programme = f.programme
  LEFT JOIN tsetp.target_rate s
         ON s.programme = f.programme AND s.period_no = pp.period_no AND s.category = f.category
  -- the transitional ladder, only for facilities covered late enough to be on it
  LEFT JOIN (SELECT t.programme, t.period_no, t.category,
                    pg_catalog.array_agg(t.first_n ORDER BY t.first_n) AS first_n,
                    pg_catalog.array_agg(t.last_n ORDER BY t.first_n) AS last_n,
                    pg_catalog.array_agg(t.rate ORDER BY t.first_n) AS rates
               FROM tsetp.transitional_rate t
              GROUP BY t.programme, t.period_no, t.category) l
         ON l.programme = f.programme AND l.period_no = pp.period_no AND l.category = f.category
        AND c.coverage_start >= p.transitional_from
  LEFT JOIN (SELECT b.facility_id,
                    pg_catalog.array_agg(b.effective_from) AS effective_from,
                    pg_catalog.array_agg(b.amount) AS amounts
               FROM tsetp.base_emission b
              GROUP BY b.facility_id) b
         ON b.facility_id = f.id
  -- emissions of the period's years only (the period is known before the
  -- emission rows are read, so other years never reach the aggregate)
  LEFT JOIN (SELECT e.facility_id, ep.programme, ep.period_no,
                    pg_catalog.array_agg(e.fy) AS fys,
                    pg_catalog.array_agg(e.amount) AS amounts,
                    pg_catalog.array_agg(e.verified_by IS NOT NULL) AS verified
               FROM tsetp.emission e
               JOIN tsetp.plan_period ep
                 ON e.fy >= tsetp.lower(ep.years) AND e.fy <= tsetp.upper(ep.years)
              GROUP BY e.facility_id, ep.programme, ep.period_no) e
         ON e.facility_id = f.id AND e.programme = f.programme AND e.period_no = pp.period_no
  -- certified reliefs, ordered by kind within a year: the first kind wins a tie
  LEFT JOIN (SELECT ce.facility_id, cp.period_no,
                    pg_catalog.array_agg(ce.fy ORDER BY ce.fy, ce.kind) AS fys,
                    pg_catalog.array_agg(ce.kind ORDER BY ce.fy, ce.kind) AS kinds,
                    pg_catalog.array_agg(x.operation ORDER BY ce.fy, ce.kind) AS operations,
                    pg_catalog.array_agg(x.value ORDER BY ce.fy, ce.kind) AS relief_values,
                    pg_catalog.array_agg(x.standard_only ORDER BY ce.fy, ce.kind) AS standard_only
               FROM tsetp.certification ce
               JOIN tsetp.facility cf ON cf.id = ce.facility_id
               JOIN tsetp.plan_period cp ON cp.programme = cf.programme AND cp.years @> ce.fy
               JOIN tsetp.relief x ON x.programme = cf.programme AND x.period_no = cp.period_no AND x.kind = ce.kind
              GROUP BY ce.facility_id, cp.period_no) r
         ON r.facility_id = f.id AND r.period_no = pp.period_no;
COMMENT ON VIEW tsetp.facility_period_input IS 'Per facility and plan period, the rows its evaluation needs: coverage, standard rate, ladder rungs (for facilities on the ladder), cap, base history, the period''s emissions and certified reliefs, as arrays for period_years() and period_totals()';

-- One row per covered fiscal year of every plan period: base, effective
-- rate (standard, transitional ladder, relief), target, emissions and
-- reductions.
CREATE VIEW tsetp.facility_year AS
SELECT i.facility_id, i.programme, i.category, i.period_no,
       y.fy, y.coverage_year, y.base, y.rate_before_relief, y.transitional, y.relief, y.rate,
       y.target, y.emissions, y.verified, y.reduction, y.counted_reduction
  FROM tsetp.facility_period_input i
 CROSS JOIN LATERAL tsetp.period_years(
       i.coverage_start, i.years, i.standard_rate, i.ladder_first_n, i.ladder_last_n, i.ladder_rates,
       i.reduction_cap, i.base_from, i.base_amounts, i.emission_years, i.emission_amounts,
       i.emission_verified, i.relief_years, i.relief_kinds, i.relief_operations, i.relief_values,
       i.relief_standard_only) y;
COMMENT ON VIEW tsetp.facility_year IS 'Each covered fiscal year of each facility and plan period: base, effective rate, target, emissions, reduction and counted (capped) reduction';

-- What the caller may see of facility_year: its own facilities (an
-- operator), every facility (the prefecture).
CREATE VIEW tsetp.my_facility_year AS
SELECT y.* FROM tsetp.facility_year y
  JOIN tsetp.facility f ON f.id = y.facility_id
 WHERE tsetp.sees_holder(f.operator);
COMMENT ON VIEW tsetp.my_facility_year IS 'facility_year restricted to the facilities the current role may see';

CREATE FUNCTION tsetp.rate_at(facility_id bigint, fy tsetp.fiscal_year) RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT y.rate FROM tsetp.my_facility_year y WHERE y.facility_id = $1 AND y.fy = $2);
COMMENT ON FUNCTION tsetp.rate_at(bigint, tsetp.fiscal_year) IS 'Effective target rate of the facility in a fiscal year (0.22 = 22%): category and period, transitional ladder, and the lowest relief certified; NULL where not covered';

-- Per facility and plan period: the totals the assessment, the projection
-- and the issuance of excess reduction are computed from. Reductions and
-- excess count verified years only; pending while any covered year lacks
-- verified emissions or a base. The same evaluation as facility_year, summed
-- in C: the totals equal sums over facility_year (a test checks it).
CREATE VIEW tsetp.facility_period_reduction AS
SELECT i.facility_id, i.programme, i.category, i.period_no,
       t.years_covered, t.years_verified, t.first_year, t.last_verified_year,
       t.base_total, t.target_total, t.emissions_total, t.reduction_total, t.counted_total,
       t.excess, t.pending
  FROM tsetp.facility_period_input i
 CROSS JOIN LATERAL tsetp.period_totals(
       i.coverage_start, i.years, i.standard_rate, i.ladder_first_n, i.ladder_last_n, i.ladder_rates,
       i.reduction_cap, i.base_from, i.base_amounts, i.emission_years, i.emission_amounts,
       i.emission_verified, i.relief_years, i.relief_kinds, i.relief_operations, i.relief_values,
       i.relief_standard_only) t;
COMMENT ON VIEW tsetp.facility_period_reduction IS 'Totals per facility and plan period over its covered years: base, target, verified emissions, reduction, capped reduction and excess so far';
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
-- Clock. The registry's time is tsetp.clock(): now(), or the timestamp in
-- the setting tsetp.now when the session's login role is a superuser (so
-- that tests can pin business hours and deadlines and nobody else can).

-- ---------------------------------------------------------------------------
-- Clock and refusals
-- ---------------------------------------------------------------------------

CREATE FUNCTION tsetp.clock() RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'registry_clock'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.clock() IS
    'The registry''s clock: now(), or the setting tsetp.now (e.g. SET tsetp.now = ''2026-06-01 10:30+09'') in a session logged in as a superuser, for tests';

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
    decided_at     timestamptz NOT NULL
);
COMMENT ON TABLE tsetp.approval IS
    'Decisions on transactions that wait for approval, append-only: approved (by a tsetp_admin other than the requester), rejected (by a tsetp_admin) or withdrawn (by the requester)';

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
       c.id AS reversed_by, c.requested_at AS reversed_at
  FROM tsetp.ledger l
  LEFT JOIN tsetp.approval a ON a.transaction_id = l.id
  LEFT JOIN tsetp.ledger c ON c.corrects = l.id;
COMMENT ON VIEW tsetp.transaction_status IS
    'Status of each ledger transaction (requested, completed, rejected, cancelled, reversed), when it took effect, and the correction that reversed it';

-- Stamps the requester and the registry's time on a new ledger or approval
-- row (runs as the invoker, so it sees who is asking).
CREATE FUNCTION tsetp.registry_stamp() RETURNS trigger
    AS 'MODULE_PATHNAME', 'registry_stamp'
    LANGUAGE C;
COMMENT ON FUNCTION tsetp.registry_stamp() IS
    'Trigger: records the role that inserts a ledger or approval row and the registry''s time, whatever the client wrote there';

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
        PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tsetp.account'),
                                                 pg_catalog.hashtext(COALESCE(NEW.from_account, NEW.to_account)));
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
        IF NEW.block IS NULL THEN
            UPDATE tsetp.serial_counter SET next_serial = next_serial + want RETURNING next_serial - want INTO first_s;
            NEW.block := tsetp.credit(prog.credit_origin, NEW.kind, NEW.vintage, NEW.source, first_s, first_s + want - 1);
        ELSE
            UPDATE tsetp.serial_counter SET next_serial = GREATEST(next_serial, tsetp.last_serial(NEW.block) + 1);
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
    -- Lock the sending account (before reading its balance for the reserve),
    -- then take its blocks.
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tsetp.account'), pg_catalog.hashtext(src.number));
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

CREATE TRIGGER b_apply BEFORE INSERT ON tsetp.approval
    FOR EACH ROW EXECUTE FUNCTION tsetp.approval_apply();

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

    -- The serials, set-wise: one move of the counter, a running sum.
    UPDATE tsetp.serial_counter SET next_serial = next_serial + total RETURNING next_serial - total INTO first_s;

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
CREATE FUNCTION tsetp.excess_guard_lock(programme text, exclusive boolean) RETURNS void
    LANGUAGE plpgsql VOLATILE
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
    IF exclusive THEN
        PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tsetp.issue_excess'), pg_catalog.hashtext($1));
    ELSE
        PERFORM pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtext('tsetp.issue_excess'), pg_catalog.hashtext($1));
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
    IF TG_OP = 'UPDATE' AND NEW.code = OLD.code AND NEW.programme = OLD.programme
       AND NEW.excess_reduction = OLD.excess_reduction THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM tsetp.ledger l WHERE l.programme = OLD.programme AND l.kind = OLD.code) THEN
        PERFORM tsetp.registry_refuse(3012, pg_catalog.format('credit kind %s of %s cannot be removed, renamed or re-marked: the ledger holds transactions of it', OLD.code, OLD.programme),
            'Its transactions, and the excess reduction issued of it, are read by its code and marking.',
            'Change its name, limits or transferability instead, or add a new kind.');
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION tsetp.credit_kind_check() IS
    'Trigger: refuses to delete, rename or re-mark (excess_reduction) a credit kind that ledger transactions use (check 3012)';
CREATE TRIGGER credit_kind_check BEFORE UPDATE OR DELETE ON tsetp.credit_kind
    FOR EACH ROW EXECUTE FUNCTION tsetp.credit_kind_check();

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
       l.requested_by, s.decided_by, l.note
  FROM tsetp.ledger l
  JOIN tsetp.transaction_status s ON s.id = l.id
 CROSS JOIN LATERAL (VALUES (l.from_account, l.to_account, 'out'), (l.to_account, l.from_account, 'in')) AS x(account, counterparty, direction)
  JOIN tsetp.account a ON a.number = x.account
 WHERE tsetp.sees_holder(a.holder);
COMMENT ON VIEW tsetp.ledger_report IS
    'Transaction history per account (JVETS 取引履歴): date, type, status, account and counterparty, amount in or out (numeric tonnes), correction flag and what it corrects';

-- What each facility surrendered for each period, split as the assessment
-- needs it (read by tsetp.facility_assessment and tsetp.compliance_report).
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
                                     AND tsetp.vintage_period(f.programme, tsetp.vintage(b.block)) < l.period_no, false)) AS q(own_banked)
 WHERE l.type = 'surrender' AND s.status = 'completed'
 GROUP BY l.facility_id, l.period_no;
COMMENT ON VIEW tsetp.surrendered_credit IS
    'Credits surrendered (completed, not reversed) per facility and period: own_banked = the facility''s own excess reduction from an earlier period; other_credits = everything else';
-- Assessment, projection and the report views. They join the engine's
-- totals (70_engine.sql) with the credits surrendered in the registry
-- (80_registry.sql) and call the rule formulas once per facility-period.

CREATE VIEW tsetp.facility_assessment AS
SELECT r.facility_id, r.programme, r.category, r.period_no,
       r.years_covered, r.years_verified,
       r.base_total, r.target_total, r.emissions_total, r.reduction_total, r.counted_total,
       r.excess,
       COALESCE(s.own_banked, '0') AS own_banked,
       COALESCE(s.other_credits, '0') AS other_credits,
       COALESCE(s.own_banked, '0') + COALESCE(s.other_credits, '0') AS credits_applied,
       CASE WHEN NOT r.pending THEN
            tsetp.shortfall(r.reduction_total, COALESCE(s.own_banked, '0') + COALESCE(s.other_credits, '0'), r.target_total)
       END AS shortfall,
       tsetp.outcome(r.pending, r.reduction_total, r.target_total,
                     COALESCE(s.own_banked, '0'), COALESCE(s.other_credits, '0')) AS outcome,
       p.penalty_factor
  FROM tsetp.facility_period_reduction r
  JOIN tsetp.programme p ON p.code = r.programme
  LEFT JOIN tsetp.surrendered_credit s ON s.facility_id = r.facility_id AND s.period_no = r.period_no;
COMMENT ON VIEW tsetp.facility_assessment IS 'Assessment of every facility and plan period, in tco2: totals, credits applied, shortfall and outcome';

-- What the caller may see of the assessment and the period totals: its own
-- facilities (an operator), every facility (the prefecture).
CREATE VIEW tsetp.my_facility_assessment AS
SELECT a.* FROM tsetp.facility_assessment a
  JOIN tsetp.facility f ON f.id = a.facility_id
 WHERE tsetp.sees_holder(f.operator);
COMMENT ON VIEW tsetp.my_facility_assessment IS 'facility_assessment restricted to the facilities the current role may see';

CREATE VIEW tsetp.my_facility_period AS
SELECT r.* FROM tsetp.facility_period_reduction r
  JOIN tsetp.facility f ON f.id = r.facility_id
 WHERE tsetp.sees_holder(f.operator);
COMMENT ON VIEW tsetp.my_facility_period IS 'facility_period_reduction restricted to the facilities the current role may see';

CREATE FUNCTION tsetp.assess(facility_id bigint, period_no int)
    RETURNS TABLE (base_total tsetp.tco2, target_total tsetp.tco2, emissions_total tsetp.tco2,
                   reduction_total tsetp.tco2, excess tsetp.tco2, shortfall tsetp.tco2,
                   credits_applied tsetp.tco2, outcome text, penalty_obligation tsetp.tco2)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT a.base_total, a.target_total, a.emissions_total, a.reduction_total, a.excess,
           a.shortfall, a.credits_applied, a.outcome,
           CASE WHEN a.outcome = 'not_achieved' THEN tsetp.penalty_obligation(a.shortfall, a.penalty_factor) END
      FROM tsetp.my_facility_assessment a
     WHERE a.facility_id = $1 AND a.period_no = $2;
END;
COMMENT ON FUNCTION tsetp.assess(bigint, int) IS 'Assessment of a facility for a plan period: totals over its covered years, excess (capped at half of base per year), shortfall, credits applied, outcome, and the penalty obligation where the programme has one; no row when the facility is not covered in the period';

CREATE FUNCTION tsetp.projection(facility_id bigint, period_no int)
    RETURNS TABLE (years_reported int, emissions_to_date tsetp.tco2, projected_emissions tsetp.tco2,
                   projected_reduction tsetp.tco2, projected_balance tsetp.tco2,
                   allowed_remaining tsetp.tco2, allowed_remaining_per_year tsetp.tco2)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.years_verified, r.emissions_total,
           x.projected_emissions, x.projected_reduction, x.projected_balance,
           x.allowed_remaining, x.allowed_remaining_per_year
      FROM tsetp.my_facility_period r
     CROSS JOIN LATERAL tsetp.projection(r.years_verified, r.years_covered, r.emissions_total,
                                         r.base_total, r.target_total) AS x
     WHERE r.facility_id = $1 AND r.period_no = $2;
END;
COMMENT ON FUNCTION tsetp.projection(bigint, int) IS 'Projection (達成見込み) for a facility and period: the average of the verified years so far continued to the end of the period, and what may still be emitted to meet the target';

CREATE VIEW tsetp.compliance_report AS
SELECT a.programme, pp.period_no, pp.years::text AS period_years,
       f.id AS facility_id, f.code AS facility_code, f.name AS facility_name, f.operator, a.category,
       a.years_covered, a.years_verified,
       a.base_total::numeric AS base_total,
       a.target_total::numeric AS target_total,
       a.emissions_total::numeric AS emissions_total,
       a.reduction_total::numeric AS reduction_total,
       a.excess::numeric AS excess,
       a.own_banked::numeric AS credits_banked,
       a.other_credits::numeric AS credits_acquired,
       a.credits_applied::numeric AS credits_applied,
       a.shortfall::numeric AS shortfall,
       CASE WHEN a.outcome = 'not_achieved'
            THEN tsetp.penalty_obligation(a.shortfall, a.penalty_factor)::numeric END AS penalty_obligation,
       a.outcome
  FROM tsetp.facility_assessment a
  JOIN tsetp.facility f ON f.id = a.facility_id
  JOIN tsetp.plan_period pp ON pp.programme = a.programme AND pp.period_no = a.period_no;
COMMENT ON VIEW tsetp.compliance_report IS 'One row per facility and plan period: base, target, verified emissions and reduction, excess, credits, shortfall and outcome; amounts are numeric tonnes';

CREATE VIEW tsetp.programme_summary AS
SELECT a.programme, a.period_no, pp.years::text AS period_years, a.category, c.name_ja AS category_ja,
       pg_catalog.count(*)::int AS facilities,
       tsetp.sum(a.base_total)::numeric AS base_total,
       tsetp.sum(a.target_total)::numeric AS target_total,
       tsetp.sum(a.reduction_total)::numeric AS reduction_total,
       pg_catalog.round(tsetp.sum(a.target_total) / NULLIF(tsetp.sum(a.base_total), '0'), 4) AS target_rate,
       pg_catalog.round(tsetp.sum(a.reduction_total) / NULLIF(tsetp.sum(a.base_total), '0'), 4) AS reduction_rate,
       pg_catalog.count(*) FILTER (WHERE a.outcome = 'achieved_own')::int AS achieved_own,
       pg_catalog.count(*) FILTER (WHERE a.outcome = 'achieved_banking')::int AS achieved_banking,
       pg_catalog.count(*) FILTER (WHERE a.outcome = 'achieved_trading')::int AS achieved_trading,
       pg_catalog.count(*) FILTER (WHERE a.outcome = 'not_achieved')::int AS not_achieved,
       pg_catalog.count(*) FILTER (WHERE a.outcome = 'pending')::int AS pending
  FROM tsetp.facility_assessment a
  JOIN tsetp.plan_period pp ON pp.programme = a.programme AND pp.period_no = a.period_no
  JOIN tsetp.category c ON c.programme = a.programme AND c.code = a.category
 GROUP BY a.programme, a.period_no, pp.years, a.category, c.name_ja;
COMMENT ON VIEW tsetp.programme_summary IS 'Per programme, plan period and category: facilities, base, target, reduction, rates, and how many achieved by own reduction, with banking, by trading, or not at all';
-- Roles, privileges and row-level security (SPEC §2.5).
--
--   tsetp_admin     the prefecture: registers facilities and accounts,
--                   issues, approves, corrects, closes periods; sees all
--   tsetp_operator  a facility operator or broker: sees and acts on the
--                   facilities and accounts of the holders it acts for
--                   (tsetp.holder_member), and nothing else
--   tsetp_verifier  records third-party verification of emissions
--   tsetp_reader    BI dashboards: the report views only
--
-- The roles are created if missing (roles are cluster-wide: they outlive the
-- extension). Grant them to login roles: GRANT tsetp_operator TO alice;
-- INSERT INTO tsetp.holder_member VALUES ('Alice Co.', 'alice').
-- The ledger's and the approvals' triggers are SECURITY DEFINER (with a
-- fixed search_path) so that the holdings, which no role may write, follow
-- every legal request; row-level security decides which requests a role may
-- make at all.

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['tsetp_admin', 'tsetp_operator', 'tsetp_verifier', 'tsetp_reader'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA tsetp TO tsetp_admin, tsetp_operator, tsetp_verifier, tsetp_reader;

-- Trigger functions that write across the lines are not for direct calls.
REVOKE EXECUTE ON FUNCTION tsetp.ledger_apply(), tsetp.approval_apply(), tsetp.account_check(),
    tsetp.open_designated_accounts(), tsetp.base_emission_check(), tsetp.energy_use_changed(),
    tsetp.coverage_rule_changed(), tsetp.refresh_coverage(bigint[]),
    tsetp.base_emission_under_issue(), tsetp.facility_code_check(), tsetp.credit_kind_check(),
    tsetp.excess_input_check() FROM PUBLIC;

-- Configuration: everyone who works with the registry may read it; the
-- prefecture maintains it.
GRANT SELECT ON tsetp.programme, tsetp.plan_period, tsetp.category, tsetp.target_rate,
    tsetp.transitional_rate, tsetp.certification_kind, tsetp.relief, tsetp.revision_ground,
    tsetp.standard_intensity, tsetp.credit_kind, tsetp.transaction_rule, tsetp.business_hours,
    tsetp.registry_holiday, tsetp.account_route
    TO tsetp_admin, tsetp_operator, tsetp_verifier;
GRANT INSERT, UPDATE, DELETE ON tsetp.programme, tsetp.plan_period, tsetp.category, tsetp.target_rate,
    tsetp.transitional_rate, tsetp.certification_kind, tsetp.relief, tsetp.revision_ground,
    tsetp.standard_intensity, tsetp.credit_kind, tsetp.transaction_rule, tsetp.business_hours,
    tsetp.registry_holiday, tsetp.account_route
    TO tsetp_admin;

-- Facilities and their data.
GRANT SELECT, INSERT, UPDATE ON tsetp.facility, tsetp.energy_use, tsetp.emission,
    tsetp.certification TO tsetp_admin;
GRANT SELECT, INSERT ON tsetp.base_emission TO tsetp_admin;
GRANT SELECT ON tsetp.facility, tsetp.energy_use, tsetp.emission, tsetp.base_emission,
    tsetp.certification TO tsetp_operator;
GRANT INSERT ON tsetp.energy_use, tsetp.emission TO tsetp_operator;
GRANT SELECT ON tsetp.facility, tsetp.emission TO tsetp_verifier;
GRANT UPDATE (verified_by, verified_at) ON tsetp.emission TO tsetp_verifier;

-- The registry.
GRANT SELECT, INSERT, UPDATE (status, holder, commitment_reserve) ON tsetp.account TO tsetp_admin;
GRANT SELECT, INSERT ON tsetp.account TO tsetp_operator;
GRANT SELECT ON tsetp.holding TO tsetp_admin, tsetp_operator;
GRANT SELECT, INSERT ON tsetp.ledger, tsetp.approval TO tsetp_admin, tsetp_operator;
GRANT SELECT, INSERT, DELETE ON tsetp.holder_member TO tsetp_admin;
GRANT SELECT ON tsetp.holder_member TO PUBLIC;
GRANT SELECT ON tsetp.transaction_status, tsetp.surrendered_credit, tsetp.serial_counter, tsetp.standing_excess TO tsetp_admin;
GRANT SELECT ON tsetp.ledger_movement, tsetp.account_balance, tsetp.ledger_report
    TO tsetp_admin, tsetp_operator, tsetp_reader;

-- The compliance engine. Its views read every facility and are for the
-- prefecture; the published reports, compliance_report and
-- programme_summary, show every facility to the prefecture and to readers.
-- Operators read the my_* views (filtered by tsetp.sees_holder) and the
-- functions over them: assess, projection and rate_at show an operator its
-- own facilities only, and nothing for anyone else's.
GRANT SELECT ON tsetp.base_history, tsetp.facility_period_input, tsetp.facility_year, tsetp.facility_period_reduction,
    tsetp.facility_assessment TO tsetp_admin;
GRANT SELECT ON tsetp.my_facility_year, tsetp.my_facility_period, tsetp.my_facility_assessment
    TO tsetp_admin, tsetp_operator;
GRANT SELECT ON tsetp.compliance_report, tsetp.programme_summary TO tsetp_admin, tsetp_reader;

-- Coverage follows the facility's row-level security.
ALTER VIEW tsetp.facility_coverage SET (security_invoker = true);
GRANT SELECT ON tsetp.coverage, tsetp.facility_coverage TO tsetp_admin, tsetp_operator;
ALTER TABLE tsetp.coverage ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.coverage FOR SELECT TO tsetp_admin USING (true);
CREATE POLICY own ON tsetp.coverage FOR SELECT TO tsetp_operator
    USING (facility_id IN (SELECT f.id FROM tsetp.facility f));

-- Row-level security: the prefecture sees everything, an operator its own.
-- The policies for operators go through tsetp.holder_member, and from
-- facilities and accounts on to the rows that belong to them.

ALTER TABLE tsetp.holder_member ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.holder_member TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.holder_member FOR SELECT TO PUBLIC
    USING (pg_catalog.pg_has_role(member, 'MEMBER'));

ALTER TABLE tsetp.facility ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.facility TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY verifier_read ON tsetp.facility FOR SELECT TO tsetp_verifier USING (true);
CREATE POLICY own ON tsetp.facility FOR SELECT TO tsetp_operator
    USING (operator IN (SELECT m.holder FROM tsetp.holder_member m));

ALTER TABLE tsetp.energy_use ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.energy_use TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.energy_use TO tsetp_operator
    USING (facility_id IN (SELECT f.id FROM tsetp.facility f))
    WITH CHECK (facility_id IN (SELECT f.id FROM tsetp.facility f));

ALTER TABLE tsetp.emission ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.emission TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY verifier_all ON tsetp.emission TO tsetp_verifier USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.emission TO tsetp_operator
    USING (facility_id IN (SELECT f.id FROM tsetp.facility f))
    WITH CHECK (facility_id IN (SELECT f.id FROM tsetp.facility f) AND verified_by IS NULL);

ALTER TABLE tsetp.base_emission ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.base_emission TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.base_emission FOR SELECT TO tsetp_operator
    USING (facility_id IN (SELECT f.id FROM tsetp.facility f));

ALTER TABLE tsetp.certification ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.certification TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.certification FOR SELECT TO tsetp_operator
    USING (facility_id IN (SELECT f.id FROM tsetp.facility f));

ALTER TABLE tsetp.account ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.account TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.account FOR SELECT TO tsetp_operator
    USING (holder IN (SELECT m.holder FROM tsetp.holder_member m));
CREATE POLICY open_general ON tsetp.account FOR INSERT TO tsetp_operator
    WITH CHECK (account_type = 'general' AND status = 'open' AND facility_id IS NULL
                AND commitment_reserve OPERATOR(tsetp.=) '0'::tsetp.tco2
                AND holder IN (SELECT m.holder FROM tsetp.holder_member m));

ALTER TABLE tsetp.holding ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.holding FOR SELECT TO tsetp_admin USING (true);
CREATE POLICY own ON tsetp.holding FOR SELECT TO tsetp_operator
    USING (account IN (SELECT a.number FROM tsetp.account a));

ALTER TABLE tsetp.ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.ledger TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.ledger FOR SELECT TO tsetp_operator
    USING (from_account IN (SELECT a.number FROM tsetp.account a)
           OR to_account IN (SELECT a.number FROM tsetp.account a));
CREATE POLICY request ON tsetp.ledger FOR INSERT TO tsetp_operator
    WITH CHECK (type IN ('transfer', 'surrender', 'retire')
                AND from_account IN (SELECT a.number FROM tsetp.account a));

ALTER TABLE tsetp.approval ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON tsetp.approval TO tsetp_admin USING (true) WITH CHECK (true);
CREATE POLICY own ON tsetp.approval FOR SELECT TO tsetp_operator
    USING (transaction_id IN (SELECT l.id FROM tsetp.ledger l));
CREATE POLICY withdraw ON tsetp.approval FOR INSERT TO tsetp_operator
    WITH CHECK (decision = 'withdrawn' AND transaction_id IN (SELECT l.id FROM tsetp.ledger l));
-- The data dictionary a BI tool reads (Metabase, Superset, Power BI and
-- Excel over ODBC show column comments as field descriptions): every column
-- of the report views, and the operator classes and families that have no
-- comment of their own. Amount columns are numeric tonnes of CO2.

COMMENT ON COLUMN tsetp.compliance_report.programme IS 'Programme code (saitama, tokyo, jvets)';
COMMENT ON COLUMN tsetp.compliance_report.period_no IS 'Plan period number (削減計画期間)';
COMMENT ON COLUMN tsetp.compliance_report.period_years IS 'Fiscal years of the plan period, e.g. FY2015-FY2019';
COMMENT ON COLUMN tsetp.compliance_report.facility_id IS 'Facility id (tsetp.facility.id)';
COMMENT ON COLUMN tsetp.compliance_report.facility_code IS 'Facility number given by the programme (事業所番号)';
COMMENT ON COLUMN tsetp.compliance_report.facility_name IS 'Facility name (事業所名称)';
COMMENT ON COLUMN tsetp.compliance_report.operator IS 'Operator of the facility (事業者名)';
COMMENT ON COLUMN tsetp.compliance_report.category IS 'Target-rate category (Saitama 1-1, 1-2, 2)';
COMMENT ON COLUMN tsetp.compliance_report.years_covered IS 'Fiscal years of the period in which the facility is covered';
COMMENT ON COLUMN tsetp.compliance_report.years_verified IS 'Covered years with verified emissions so far';
COMMENT ON COLUMN tsetp.compliance_report.base_total IS 'Base emissions (基準排出量) summed over the covered years, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.target_total IS 'Reduction target (削減目標量) over the covered years: base × rate per year, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.emissions_total IS 'Verified emissions (実績排出量) of the verified years, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.reduction_total IS 'Reduction (排出削減量) of the verified years: base − emissions, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.excess IS 'Excess reduction (超過削減量) so far: reduction capped at half of base per year, minus the target, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.credits_banked IS 'The facility''s own excess reduction of an earlier period surrendered for this one (banking), t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.credits_acquired IS 'Other credits surrendered for this period (bought excess reduction, renewable-energy and other credits), t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.credits_applied IS 'All credits surrendered for this period: credits_banked + credits_acquired, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.shortfall IS 'Shortfall (削減不足量) once every year is verified: target − reduction − credits, at least 0; NULL while pending, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.penalty_obligation IS 'Tokyo: the shortfall × 1.3 ordered to be reduced when not achieved; NULL otherwise, t-CO2';
COMMENT ON COLUMN tsetp.compliance_report.outcome IS 'achieved_own, achieved_banking, achieved_trading, not_achieved, or pending while a covered year lacks verified emissions';

COMMENT ON COLUMN tsetp.programme_summary.programme IS 'Programme code';
COMMENT ON COLUMN tsetp.programme_summary.period_no IS 'Plan period number';
COMMENT ON COLUMN tsetp.programme_summary.period_years IS 'Fiscal years of the plan period';
COMMENT ON COLUMN tsetp.programme_summary.category IS 'Target-rate category code';
COMMENT ON COLUMN tsetp.programme_summary.category_ja IS 'Category name in Japanese (区分)';
COMMENT ON COLUMN tsetp.programme_summary.facilities IS 'Facilities covered in the period (事業所数)';
COMMENT ON COLUMN tsetp.programme_summary.base_total IS 'Base emissions of the covered years, summed over the facilities, t-CO2';
COMMENT ON COLUMN tsetp.programme_summary.target_total IS 'Reduction targets summed over the facilities, t-CO2';
COMMENT ON COLUMN tsetp.programme_summary.reduction_total IS 'Verified reductions summed over the facilities, t-CO2';
COMMENT ON COLUMN tsetp.programme_summary.target_rate IS 'target_total / base_total (目標削減率), a fraction: 0.15 = 15%';
COMMENT ON COLUMN tsetp.programme_summary.reduction_rate IS 'reduction_total / base_total (削減率), a fraction';
COMMENT ON COLUMN tsetp.programme_summary.achieved_own IS 'Facilities that met the target by their own reduction';
COMMENT ON COLUMN tsetp.programme_summary.achieved_banking IS 'Facilities that met it with their own excess carried from the previous period';
COMMENT ON COLUMN tsetp.programme_summary.achieved_trading IS 'Facilities that met it with credits from elsewhere';
COMMENT ON COLUMN tsetp.programme_summary.not_achieved IS 'Facilities that did not meet it (every year verified)';
COMMENT ON COLUMN tsetp.programme_summary.pending IS 'Facilities with a covered year not yet verified';

COMMENT ON COLUMN tsetp.account_balance.account IS 'Account number';
COMMENT ON COLUMN tsetp.account_balance.programme IS 'Programme of the account';
COMMENT ON COLUMN tsetp.account_balance.account_type IS 'designated (指定管理口座) or general (一般管理口座)';
COMMENT ON COLUMN tsetp.account_balance.holder IS 'Account holder';
COMMENT ON COLUMN tsetp.account_balance.facility_id IS 'Facility of a designated account; NULL for a general account';
COMMENT ON COLUMN tsetp.account_balance.status IS 'open, suspended or closed';
COMMENT ON COLUMN tsetp.account_balance.kind IS 'Credit kind (ER, RE, ...; tsetp.credit_kind)';
COMMENT ON COLUMN tsetp.account_balance.vintage IS 'Vintage fiscal year of the credits, e.g. FY2019';
COMMENT ON COLUMN tsetp.account_balance.free IS 'Units free to move, t-CO2';
COMMENT ON COLUMN tsetp.account_balance.reserved IS 'Units reserved to transactions waiting for approval, t-CO2';
COMMENT ON COLUMN tsetp.account_balance.balance IS 'Units held: free + reserved, t-CO2';
COMMENT ON COLUMN tsetp.account_balance.surrendered IS 'Units surrendered from the account for a target, t-CO2';
COMMENT ON COLUMN tsetp.account_balance.retired IS 'Units retired from the account, t-CO2';
COMMENT ON COLUMN tsetp.account_balance.cancelled IS 'Units cancelled in the account, t-CO2';

COMMENT ON COLUMN tsetp.ledger_report.transaction_id IS 'Ledger transaction id';
COMMENT ON COLUMN tsetp.ledger_report.date IS 'When the transaction took effect, or was requested if it has not';
COMMENT ON COLUMN tsetp.ledger_report.requested_at IS 'When it was requested (registry clock)';
COMMENT ON COLUMN tsetp.ledger_report.effective_at IS 'When it took effect (on approval where approval is needed); NULL if it has not';
COMMENT ON COLUMN tsetp.ledger_report.type IS 'issue, transfer, surrender, retire, cancel or correction';
COMMENT ON COLUMN tsetp.ledger_report.status IS 'requested, completed, rejected, cancelled or reversed';
COMMENT ON COLUMN tsetp.ledger_report.programme IS 'Programme of the accounts';
COMMENT ON COLUMN tsetp.ledger_report.account IS 'The account this row is seen from';
COMMENT ON COLUMN tsetp.ledger_report.counterparty IS 'The other account; NULL for issues, surrenders, retirements and cancellations';
COMMENT ON COLUMN tsetp.ledger_report.kind IS 'Credit kind';
COMMENT ON COLUMN tsetp.ledger_report.amount_in IS 'Tonnes into the account; NULL on an outgoing row';
COMMENT ON COLUMN tsetp.ledger_report.amount_out IS 'Tonnes out of the account; NULL on an incoming row';
COMMENT ON COLUMN tsetp.ledger_report.correction IS 'True for a correction (it reverses the transaction in corrects)';
COMMENT ON COLUMN tsetp.ledger_report.corrects IS 'The transaction a correction reverses';
COMMENT ON COLUMN tsetp.ledger_report.reversed_by IS 'The correction that reversed this transaction';
COMMENT ON COLUMN tsetp.ledger_report.facility_id IS 'Surrender: the facility whose target it counts for';
COMMENT ON COLUMN tsetp.ledger_report.period_no IS 'Surrender: the plan period it counts for';
COMMENT ON COLUMN tsetp.ledger_report.blocks IS 'The serial blocks moved, space-separated (origin/kind/vintage/source/first-last)';
COMMENT ON COLUMN tsetp.ledger_report.requested_by IS 'Role that requested the transaction';
COMMENT ON COLUMN tsetp.ledger_report.decided_by IS 'Role that approved, rejected or withdrew it';
COMMENT ON COLUMN tsetp.ledger_report.note IS 'Free-text note of the request';

-- Operator classes and families without a comment of their own get one
-- that says what they are.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.oid, a.amname, c.opcname, c.opcdefault, format_type(c.opcintype, NULL) AS typ
               FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
              WHERE c.opcnamespace = 'tsetp'::regnamespace
                AND pg_catalog.obj_description(c.oid, 'pg_opclass') IS NULL LOOP
        EXECUTE pg_catalog.format('COMMENT ON OPERATOR CLASS tsetp.%I USING %I IS %L', r.opcname, r.amname,
            pg_catalog.format('%s %s operator class of %s', CASE WHEN r.opcdefault THEN 'Default' ELSE 'Non-default' END, r.amname, r.typ));
    END LOOP;
    FOR r IN SELECT f.oid, a.amname, f.opfname
               FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod
              WHERE f.opfnamespace = 'tsetp'::regnamespace
                AND pg_catalog.obj_description(f.oid, 'pg_opfamily') IS NULL LOOP
        EXECUTE pg_catalog.format('COMMENT ON OPERATOR FAMILY tsetp.%I USING %I IS %L', r.opfname, r.amname,
            pg_catalog.format('%s operator family %s of tsetp (its operator classes and cross-type operators)', r.amname, r.opfname));
    END LOOP;
END
$$;
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
