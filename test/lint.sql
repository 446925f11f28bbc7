-- pgTAP: plpgsql_check over every PL/pgSQL function of the extension (every
-- member of the extension in pg_proc, so a new function is checked by
-- itself). A trigger function is checked against each relation it fires on,
-- with the transition tables its triggers there declare. Levels (see
-- docs/packaging.md): errors, other warnings, extra warnings and security
-- warnings all count as findings; performance warnings are not enabled.
BEGIN;
-- Loaded before any PL/pgSQL function runs (PostgreSQL 17 requires it).
LOAD 'plpgsql_check';
SELECT plan(3);
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS plpgsql_check SCHEMA public;

CREATE TEMP TABLE lint_fn ON COMMIT DROP AS
SELECT p.oid AS fn, p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype AS is_trigger
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_proc p ON p.oid = d.objid
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
   AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
   AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'tsetp')
   AND d.deptype = 'e'
   AND l.lanname = 'plpgsql';

-- A trigger function that no trigger names is called by a C trigger function
-- on the relation that trigger fires on (tsetp.ledger_apply runs
-- tsetp.ledger_rules for the rows its fast path does not take).
CREATE TEMP TABLE lint_delegated ON COMMIT DROP AS
SELECT fn::pg_catalog.regprocedure::pg_catalog.oid AS fn, rel::pg_catalog.regclass::pg_catalog.oid AS rel
  FROM (VALUES ('tsetp.ledger_rules()', 'tsetp.ledger')) v(fn, rel);

-- What is checked: each plain function once; each trigger function once per
-- relation, with the union of the transition table names of its triggers on it.
CREATE TEMP TABLE lint_target ON COMMIT DROP AS
SELECT f.fn, 0::pg_catalog.oid AS rel, NULL::name AS oldt, NULL::name AS newt
  FROM lint_fn f WHERE NOT f.is_trigger
UNION ALL
SELECT f.fn, t.tgrelid, pg_catalog.max(t.tgoldtable), pg_catalog.max(t.tgnewtable)
  FROM lint_fn f JOIN pg_catalog.pg_trigger t ON t.tgfoid = f.fn
 WHERE f.is_trigger
 GROUP BY f.fn, t.tgrelid
UNION ALL
SELECT d.fn, d.rel, NULL, NULL FROM lint_delegated d;

SELECT cmp_ok((SELECT pg_catalog.count(*)::int FROM lint_fn), '>', 0,
              'the extension has PL/pgSQL functions to check');

SELECT is_empty($$
    SELECT f.fn::pg_catalog.regprocedure::text FROM lint_fn f
     WHERE f.is_trigger AND NOT EXISTS (SELECT 1 FROM lint_target t WHERE t.fn = f.fn)
$$, 'every PL/pgSQL trigger function fires on a relation it can be checked against');

-- A trigger function that fires on several relations of different shape
-- (tsetp.excess_input_check, tsetp.coverage_rule_changed) reads, in a branch
-- on TG_TABLE_NAME, columns that only one of them has: checked against
-- another relation, that branch names a column that relation lacks (42703).
-- Such a finding is a real one only when no relation the function fires on
-- has the column, i.e. when it is found against every one of them. Every
-- other finding counts wherever it is found.
CREATE TEMP TABLE lint_finding ON COMMIT DROP AS
SELECT t.fn, t.rel, c.level, c.sqlstate, c.lineno, c.message, c.detail, c.hint
  FROM lint_target t,
       LATERAL public.plpgsql_check_function_tb(
           t.fn, t.rel,
           fatal_errors => false, other_warnings => true, performance_warnings => false,
           extra_warnings => true, security_warnings => true,
           oldtable => t.oldt, newtable => t.newt) c;

SELECT is_empty($$
    SELECT pg_catalog.format('%s on %s: %s %s at line %s: %s%s%s',
                             f.fn::pg_catalog.regprocedure, NULLIF(f.rel, 0)::pg_catalog.regclass,
                             f.level, f.sqlstate, f.lineno, f.message,
                             ' / ' || f.detail, ' / ' || f.hint)
      FROM lint_finding f
     WHERE f.sqlstate <> '42703'
        OR (SELECT pg_catalog.count(*) FROM lint_target t WHERE t.fn = f.fn)
           = (SELECT pg_catalog.count(DISTINCT g.rel) FROM lint_finding g
               WHERE g.fn = f.fn AND g.sqlstate = f.sqlstate AND g.lineno = f.lineno
                 AND g.message = f.message)
$$, 'plpgsql_check finds nothing in the PL/pgSQL functions of the extension');

SELECT * FROM finish();
ROLLBACK;
