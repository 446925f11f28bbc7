
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
