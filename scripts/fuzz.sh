#!/usr/bin/env bash
# make fuzz: builds a libFuzzer harness for each pure parser (fuzz/*_fuzz.c,
# linked with every extension/*_value.c) with AddressSanitizer and UBSan, and
# runs each for FUZZ_SECONDS (default 60). Any crash, sanitizer report or
# broken round-trip property fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
seconds=${FUZZ_SECONDS:-60}
build=fuzz/build
mkdir -p "$build"
inc=$($PG_CONFIG --includedir-server)
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for harness in fuzz/*_fuzz.c; do
  name=$(basename "$harness" .c)
  echo "== $name (${seconds}s)"
  clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Wno-ignored-attributes \
    -I extension -I "$inc" "$harness" extension/*_value.c -o "$build/$name"
  mkdir -p "$build/$name.corpus"
  seeds=fuzz/seeds/${name%_fuzz}
  "$build/$name" -max_total_time="$seconds" -print_final_stats=1 \
    "$build/$name.corpus" $( [ -d "$seeds" ] && echo "$seeds" ) 2>&1 | tail -n 12
done
echo "tsetp: fuzzing found nothing"
