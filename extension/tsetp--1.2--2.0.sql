-- tsetp 1.2 -> 2.0
--
-- Version 2.0 makes the registry's promise hold against every client.
-- Each part below is the update of one concern; a fresh install builds the
-- same objects from extension/sql/.
\echo Use "ALTER EXTENSION tsetp UPDATE TO '2.0'" to load this file. \quit

-- A facility id chosen with OVERRIDING SYSTEM VALUE under 1.2 may lie ahead
-- of its sequence; move the sequences past the ids in use.
SELECT pg_catalog.setval(s.seq, s.top)
  FROM (SELECT pg_catalog.pg_get_serial_sequence('tsetp.ledger', 'id')::regclass AS seq,
               (SELECT pg_catalog.max(l.id) FROM tsetp.ledger l) AS top
        UNION ALL
        SELECT pg_catalog.pg_get_serial_sequence('tsetp.facility', 'id')::regclass,
               (SELECT pg_catalog.max(f.id) FROM tsetp.facility f)) s
 WHERE s.top > COALESCE(pg_catalog.pg_sequence_last_value(s.seq), 0);

-- == Four-eyes by person, and the moment a rule is judged ==================


-- == What each role reads: row-level security, refusals, the report views ==


-- == Every check across sessions and isolation levels; no one stalls others


-- == What issued credits rest on; the designated account's holder =========


-- == verify_integrity(): every invariant, checked after the update =========
-- (kept last: it reports what the database held under the older version)

