
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
