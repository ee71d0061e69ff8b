#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the Check unit suites (meson
# test) and the integration tests against a real server on loopback. Ends with the line
# "N passed, N failed" counting every test case of the whole run.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test || exit 1
scripts/build.sh || exit 1

passed=0
failed=0
log=$(mktemp)

# Runs the Check unit suites of build dir $1 and adds their checks to the counts. Check
# prints "NN%: Checks: C, Failures: F, Errors: E" per suite.
unit_suites() {
  echo "== unit suites ($1${2:+: $2}${3:+, wrapped})"
  # shellcheck disable=SC2086  # $2 is a list of suite names
  meson test -C "$1" --suite unit --print-errorlogs --verbose ${3:+"$3"} ${2:-} >"$log" 2>&1
  local rc=$?
  while read -r checks fails errors; do
    passed=$((passed + checks - fails - errors))
    failed=$((failed + fails + errors))
  done < <(sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$log")
  grep -E "Checks:|FAIL|ERROR|^ *[0-9]+/[0-9]+ " "$log" || true
  if [ $rc -ne 0 ] && ! grep -q "Failures: [1-9]\|Errors: [1-9]" "$log"; then
    # A suite that crashed (or a sanitizer that fired) after its summary still fails.
    cat "$log"
    failed=$((failed + 1))
  fi
}

unit_suites build
# The same suites under AddressSanitizer + UndefinedBehaviorSanitizer (leaks included).
BUILD_DIR=build-asan scripts/build.sh -Db_sanitize=address,undefined -Db_lundef=false \
  -Dbuildtype=debugoptimized || exit 1
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 unit_suites build-asan
# The queue and worker suites (threads, locks, the libuv loop) under ThreadSanitizer.
BUILD_DIR=build-tsan scripts/build.sh -Db_sanitize=thread -Db_lundef=false \
  -Dbuildtype=debugoptimized || exit 1
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 unit_suites build-tsan "store worker offload helpers"
# The fast suites under valgrind's memcheck (leaks and uninitialised reads).
unit_suites build "params where util" \
  "--wrap=valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"

# Fuzzing: libFuzzer targets (every model's params validation; request parsing) built
# with clang under ASan+UBSan, each run for FUZZ_SECONDS from the corpus in tests/fuzz/.
echo "== fuzz"
CC=clang BUILD_DIR=build-fuzz scripts/build.sh -Dfuzz=true -Dtests=false \
  -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized || exit 1
for target in params request; do
  corpus=$(mktemp -d)
  cp tests/fuzz/corpus/"$target"/* "$corpus"/
  if UBSAN_OPTIONS=halt_on_error=1 build-fuzz/fuzz_"$target" -max_total_time="${FUZZ_SECONDS:-30}" \
       -max_len=4096 -print_final_stats=1 "$corpus" >"$log" 2>&1; then
    passed=$((passed + 1))
    grep -E "^stat::number_of_executed_units|Done [0-9]+ runs" "$log" | sed "s/^/fuzz_$target: /"
  else
    failed=$((failed + 1))
    tail -n 60 "$log"
  fi
  rm -rf "$corpus"
done

# Formatting: every C file as the project's .clang-format has it (one check).
echo "== clang-format"
if command -v clang-format >/dev/null; then
  unformatted=$(git ls-files '*.c' '*.h' | while read -r f; do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
  if [ -z "$unformatted" ]; then passed=$((passed + 1)); else
    echo "not formatted: $unformatted"; failed=$((failed + 1)); fi
fi

# Integration tests (a real server) and reference tests (models through `basin run`
# against NumPy/SciPy/scikit-learn/PyWavelets): each prints "N passed, N failed" last.
for t in tests/integration/test_*.py tests/reference/test_*.py; do
  [ -f "$t" ] || continue
  echo "== $t"
  /usr/bin/python3 "$t" build/src/basin >"$log" 2>&1
  rc=$?
  cat "$log"
  line=$(grep -E "^[0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
  if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
  fi
  if [ $rc -ne 0 ] && [ -z "$line" ]; then failed=$((failed + 1)); fi
done
# The API and hostile-input tests again against the ASan+UBSan server, and the API tests
# against the ThreadSanitizer server (event threads, parked requests, the committer, the
# pool threads): a leak, an invalid access, undefined behaviour or a data race in the
# server fails them (it exits non-zero on SIGTERM).
for run in "asan test_api" "asan test_hostile" "tsan test_api"; do
  set -- $run
  t=tests/integration/$2.py
  echo "== $t ($1 server)"
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    TSAN_OPTIONS=second_deadlock_stack=1 /usr/bin/python3 "$t" "build-$1/src/basin" >"$log" 2>&1
  rc=$?
  tail -n 40 "$log"
  line=$(grep -E "^[0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
  if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
  fi
  if [ $rc -ne 0 ] && [ -z "$line" ]; then failed=$((failed + 1)); fi
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
