#!/usr/bin/env bash
# An absurd but type-legal amount in one facility does not break the
# programme for all: the largest amount each input accepts (emissions and
# base emissions in tco2, energy use in kL) is recorded for one facility,
# and then every report relation of the extension (found from the
# catalogue: every view, and the report functions) is read in full, and the
# set-wise issuance of excess reduction runs for the other facilities.
# An amount beyond the programme's bound is refused up front (check 4030).
# Needs PGHOST/PGPORT/PGUSER of a running cluster (a superuser) where tsetp
# can be created; exits non-zero on any failure.
set -euo pipefail
EXT=${TSETP_EXTENSION:-tsetp}
db=tsetp_absurd_$$
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; }
trap cleanup EXIT
export PGDATABASE=$db
export PGOPTIONS="-c tsetp.now=2025-06-02T11:00+09 -c client_min_messages=warning"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

q >/dev/null <<SQL
CREATE EXTENSION $EXT;
-- Four Saitama facilities covered from FY2019, base 10,000 t, FY2020 and
-- FY2021 verified; a fifth with the largest amounts accepted.
INSERT INTO tsetp.facility (programme, code, name, operator, category)
SELECT 'saitama', 'A' || i, 'Absurd ' || i, 'Absurd Operator ' || i, '1-1' FROM generate_series(1, 5) i;
INSERT INTO tsetp.energy_use
SELECT f.id, y, CASE WHEN f.code = 'A5' THEN (SELECT p.max_energy_kl FROM tsetp.programme p WHERE p.code = 'saitama') ELSE 2000 END, true
  FROM tsetp.facility f, generate_series(2016, 2024) y;
INSERT INTO tsetp.base_emission
SELECT f.id, 'FY2020', CASE WHEN f.code = 'A5' THEN (SELECT p.max_tonnes FROM tsetp.programme p WHERE p.code = 'saitama') ELSE '10000' END,
       'historical', NULL FROM tsetp.facility f;
INSERT INTO tsetp.emission
SELECT f.id, e.fy::tsetp.fiscal_year,
       CASE WHEN f.code = 'A5' THEN (SELECT p.max_tonnes FROM tsetp.programme p WHERE p.code = 'saitama') ELSE e.amount::tsetp.tco2 END,
       'Verifier KK'
  FROM tsetp.facility f, (VALUES ('FY2020', '7000'), ('FY2021', '7500'), ('FY2022', '7500'), ('FY2023', '7500'), ('FY2024', '7500')) AS e(fy, amount);
SQL

status=0
# Every view of the extension, read in full.
for rel in $(q -c "SELECT c.oid::regclass FROM pg_class c
                     JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
                     JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = '$EXT'
                    WHERE c.relkind IN ('v', 'm') ORDER BY 1"); do
  if ! out=$(q -c "SELECT count(*) FROM (SELECT * FROM $rel) x" 2>&1); then
    echo "absurd_amount: $rel fails: $out" >&2; status=1
  fi
done
for call in "SELECT count(*) FROM tsetp.facility f, LATERAL tsetp.assess(f.id, 3) a" \
            "SELECT count(*) FROM tsetp.facility f, LATERAL tsetp.projection(f.id, 3) a" \
            "SELECT count(*) FROM tsetp.issue_excess_all('saitama', 3)"; do
  if ! out=$(q -c "$call" 2>&1); then
    echo "absurd_amount: $call fails: $out" >&2; status=1
  fi
done
issued=$(q -c "SELECT count(*) FROM tsetp.ledger WHERE type = 'issue' AND source IN ('A1', 'A2', 'A3', 'A4')")
[ "$issued" = 4 ] || { echo "absurd_amount: the set-wise issuance issued for $issued of the four ordinary facilities" >&2; status=1; }

# Beyond the bound: refused with check 4030, for each input.
for ins in "INSERT INTO tsetp.emission SELECT id, 'FY2025', (SELECT max_tonnes::numeric + 1 FROM tsetp.programme WHERE code = 'saitama')::text::tsetp.tco2, NULL FROM tsetp.facility WHERE code = 'A1'" \
           "INSERT INTO tsetp.energy_use SELECT id, 'FY2025', (SELECT max_energy_kl + 1 FROM tsetp.programme WHERE code = 'saitama'), true FROM tsetp.facility WHERE code = 'A1'" \
           "INSERT INTO tsetp.base_emission SELECT id, 'FY2026', (SELECT max_tonnes::numeric + 1 FROM tsetp.programme WHERE code = 'saitama')::text::tsetp.tco2, 'agreed', 'floor_area' FROM tsetp.facility WHERE code = 'A1'"; do
  out=$(q -v VERBOSITY=sqlstate -c "$ins" 2>&1 || true)
  case "$out" in
    *TR430*) ;;
    *) echo "absurd_amount: not refused with TR430: $ins: $out" >&2; status=1 ;;
  esac
done
if [ $status -ne 0 ]; then
  echo "absurd_amount: FAILED" >&2
  exit 1
fi
echo "absurd_amount: ok (the largest accepted amounts in one facility break no report and no set-wise issuance; larger ones are refused)"
