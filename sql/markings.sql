-- Catalogue hygiene of the extension's members: value functions are
-- IMMUTABLE STRICT PARALLEL SAFE, table readers STABLE, no I/O or operator
-- function carries a SET clause, aggregates run in parallel, and every
-- public object has a comment (a BI tool's data dictionary reads them).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tsetp;
RESET client_min_messages;
SET search_path = tsetp, public;

CREATE TEMP VIEW member_function AS
SELECT p.oid, p.oid::regprocedure AS func, p.prokind, p.provolatile, p.proparallel,
       p.proisstrict, p.proconfig, p.prorettype,
       p.prorettype = 'internal'::regtype OR 'internal'::regtype = ANY (p.proargtypes) AS aggregate_support
  FROM pg_depend d
  JOIN pg_proc p ON p.oid = d.objid AND d.classid = 'pg_proc'::regclass
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'tsetp')
   AND d.deptype = 'e';

-- Functions that are not IMMUTABLE, and why that is right for each.
SELECT func, provolatile, proparallel
  FROM member_function
 WHERE prokind = 'f' AND provolatile <> 'i'
 ORDER BY func::text COLLATE "C";

-- IMMUTABLE functions that are not PARALLEL SAFE (none), or not STRICT:
-- only those where a NULL argument means something (no cap, an open rung,
-- a facility-period without rows of some kind) and the internal-state
-- support functions of avg. (Names only: the period evaluators take 17
-- arguments.)
SELECT regexp_replace(func::text, '^(period_[a-z]+)\(.*', '\1(...)') AS func, aggregate_support
  FROM member_function
 WHERE prokind = 'f' AND provolatile = 'i'
   AND (proparallel <> 's' OR NOT proisstrict)
 ORDER BY func::text COLLATE "C";

-- Type I/O, operator and support functions never carry SET clauses.
SELECT m.func
  FROM member_function m
 WHERE m.proconfig IS NOT NULL
   AND (EXISTS (SELECT 1 FROM pg_type t WHERE m.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend))
        OR EXISTS (SELECT 1 FROM pg_operator o WHERE o.oprcode = m.oid)
        OR EXISTS (SELECT 1 FROM pg_amproc a WHERE a.amproc = m.oid)
        OR m.provolatile = 'i');

-- Aggregates: every one parallel safe with a combine function.
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggcombinefn <> 0 AS has_combine,
       p.proparallel = 's' AS parallel_safe,
       a.aggserialfn <> 0 AS has_serial
  FROM pg_aggregate a JOIN member_function p ON p.oid = a.aggfnoid
 ORDER BY 1::text COLLATE "C";

-- Every type, table, view, function and operator of the extension has a
-- comment (trigger functions and internal support functions included).
SELECT d.classid::regclass AS catalog, pg_describe_object(d.classid, d.objid, 0) AS object
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'tsetp')
   AND d.deptype = 'e'
   AND d.classid IN ('pg_type'::regclass, 'pg_class'::regclass, 'pg_proc'::regclass, 'pg_operator'::regclass)
   AND obj_description(d.objid, d.classid::regclass::text) IS NULL
   AND NOT (d.classid = 'pg_type'::regclass
            AND EXISTS (SELECT 1 FROM pg_type t WHERE t.oid = d.objid AND (t.typrelid <> 0 OR t.typelem <> 0)))
   AND NOT (d.classid = 'pg_class'::regclass
            AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = d.objid AND c.relkind IN ('i', 'S')))
 ORDER BY 1::text, 2;
