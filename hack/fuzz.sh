#!/usr/bin/env bash
# Fuzzes the parsers that take outside input (tests/fuzz/*_fuzz.cpp) with libFuzzer,
# ASan and UBSan, for a bounded time per target, and prints what each run did.
#
#   hack/fuzz.sh [--seconds N] [--runs N] [TARGET ...]
#
# Default: 60 s per target, every target. With --runs, each target runs N executions
# (the long campaign: --runs 10000000) and --seconds, if given, bounds it as well.
#
# Builds in build-fuzz/ with clang (-DSPYT_FUZZ=ON). Each target's corpus grows in
# ~/.cache/spyt-operator/fuzz/<target>/ across runs, seeded from the checked-in corpus
# (tests/fuzz/corpus/<target>/ and the directories tests/fuzz/CMakeLists.txt lists).
# An input that breaks a property, crashes, leaks or trips a sanitizer is saved under
# ~/.cache/spyt-operator/fuzz/findings/; copy it into tests/fuzz/corpus/<target>/ once
# fixed, so every `make test` replays it. Exits 1 when a run found something.
#
# The campaign adds up across runs, sessions and machines: every run appends a row to
# tests/fuzz/ledger.tsv (committed with the code, so a new machine loses no count) with
# the target, the executions, and a key of the code it ran on: a hash of the paths and
# contents of the files its binary is built from (committed or not). The summary prints,
# per target, the executions and findings on the code as it is now. A long run stopped
# with Ctrl-C (SIGINT) counts the executions it did.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
runs=-1
seconds_given=
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; seconds_given=1; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done

hack/install-deps.sh clang libclang-rt-dev  # libFuzzer and the sanitizer runtimes
build=build-fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DSPYT_FUZZ=ON -DSPYT_WERROR=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz_targets -j "$(nproc)"

if [ ${#targets[@]} -eq 0 ]; then
  for f in "$build"/tests/fuzz/fuzz_*.seeds; do
    t=$(basename "$f" .seeds); targets+=("${t#fuzz_}")
  done
fi

# --runs alone: no time bound (0 means none to libFuzzer).
[ "$runs" -ge 0 ] && [ -z "$seconds_given" ] && seconds=0

cache="${SPYT_CACHE_DIR:-$HOME/.cache/spyt-operator}/fuzz"
findings="$cache/findings"
mkdir -p "$findings"
ledger="$PWD/tests/fuzz/ledger.tsv"
# The files a target's binary is built from: the sources and headers of exactly its
# objects (ninja's deps log, current after the build above) that lie in this repository
# (headers reached through build/module-include's links count as their targets),
# and the data it reads at run time. Its key hashes their paths and contents, so a change
# anywhere else (another target, a test, a fake it does not link) leaves its count alone.
code_files() {
  local objs
  mapfile -t objs < <(ninja -C "$build" -t commands "fuzz_$1" | grep -o ' -o [^ ]*\.o' | cut -c5-)
  {
    ninja -C "$build" -t deps "${objs[@]}" | awk '/^ / { print $1 }'
    if [ "$1" = api_spec ]; then echo "$PWD/crds/spyt.dev_spytclusters.yaml"; fi
  } | xargs -r realpath -e | grep "^$PWD/" | grep -v "^$PWD/$build/" | sed "s|^$PWD/||" | sort -u
}
code_key() {
  local files
  files=$(code_files "$1")
  [ -n "$files" ] || { echo "hack/fuzz.sh: no sources known for '$1'" >&2; exit 2; }
  paste -d' ' <(echo "$files") <(echo "$files" | git hash-object --stdin-paths) |
    sha256sum | cut -c1-16
}

found=0
rows=()
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "hack/fuzz.sh: no target '$t'" >&2; exit 2; }
  corpus="$cache/$t"
  mkdir -p "$corpus"
  read -r -a seeds < "$build/tests/fuzz/fuzz_$t.seeds"
  log="$cache/$t.log"
  # Only this target's findings (libFuzzer names them <target>-<kind>-<hash>): another
  # target fuzzed at the same time writes to the same directory.
  before=$(ls "$findings" | grep -c "^$t-" || true)
  # The code the binary was just built from: an edit during the run must not relabel it.
  key=$(code_key "$t")
  # The first directory is the one libFuzzer writes new inputs to; the seeds are read only.
  set +e
  start=$(date +%s)
  "$bin" -max_total_time="$seconds" -runs="$runs" -print_final_stats=1 -max_len=8192 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$findings/$t-" "$corpus" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo "?")
  ft=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || echo "?")
  new=$(( $(ls "$findings" | grep -c "^$t-" || true) - before ))
  # 72: libFuzzer's exit after SIGINT (an early stop of a long run; its stats are final).
  if [ "$rc" -eq 72 ] && [ "$new" -eq 0 ]; then
    echo "== $t: interrupted after $execs executions"
  elif [ "$rc" -ne 0 ] || [ "$new" -gt 0 ]; then
    found=1
    echo "== $t: exit $rc, $new finding(s) in $findings; the end of $log:"
    tail -30 "$log"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$key" "$execs" \
    "$took" "$new" "$rc" >> "$ledger"
  rows+=("$(printf '%-14s %6ss %12s %10s/s %6s %6s %8s %4s' "$t" "$took" "$execs" "$rate" "$cov" "$ft" "$(ls "$corpus" | wc -l)" "$new")")
done

printf '\n%-14s %7s %12s %12s %6s %6s %8s %4s\n' target time executions rate cov ft corpus new
printf '%s\n' "${rows[@]}"
echo "(cov/ft: libFuzzer's edge coverage and features at the end; corpus: inputs kept in $cache/<target>;"
echo " new: inputs that broke a property, crashed, leaked or tripped ASan/UBSan, saved in $findings)"

# The long campaign: every run on the code as it is now, from the ledger.
printf '\n%-14s %14s %6s %9s %8s   (the campaign on this code, from %s)\n' \
  target executions runs findings hours "$ledger"
for t in "${targets[@]}"; do
  k=$(code_key "$t")  # a failure here stops the script (set -e), unlike inside awk's arguments
  awk -F'\t' -v t="$t" -v k="$k" '
    $2 == t && $3 == k { n += $4; r++; s += $5; f += ($6 > 0 ? $6 : ($7 != 0 && $7 != 72)) }
    END { printf "%-14s %14d %6d %9d %8.1f\n", t, n, r, f, s / 3600 }' "$ledger"
done
exit "$found"
