
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
