#!/usr/bin/env bash
# Runs test projects N times (default 5) with two CPU-burning processes beside them, as on a loaded CI machine,
# and reports the failures of each run. Tests must not depend on scheduling luck: this is how to find those that do.
#
#   tests/stress-under-load.sh [runs] [project...]     e.g.  tests/stress-under-load.sh 3 tests/FastBucket.Tests
#
# With no project, the whole solution. Exit status: the number of runs that failed (0: all passed).
set -u
cd "$(dirname "$0")/.."
runs="${1:-5}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(FastBucket.sln)

burners=()
stop_burners() { for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null; done; }
trap stop_burners EXIT
for _ in 1 2; do
    ( while :; do :; done ) &
    burners+=($!)
done

for target in "${targets[@]}"; do
    dotnet build "$target" -c Debug -v q --nologo >/dev/null || { echo "build of $target failed"; exit 100; }
done

failed_runs=0
logdir="$(mktemp -d)"
for run in $(seq 1 "$runs"); do
    failures=0
    for target in "${targets[@]}"; do
        log="$logdir/run$run-$(basename "$target").log"
        dotnet test "$target" -c Debug --no-build --nologo --blame-hang-timeout 5m >"$log" 2>&1
        names=$(grep -E '^\s+Failed [A-Za-z]' "$log" | sed -E 's/^\s+Failed ([^ ]+).*/\1/' | sort -u)
        summary=$(grep -E '^(Passed|Failed)!' "$log" | tr -s ' ' | paste -sd ';' -)
        echo "run $run $target: ${summary:-no summary (see $log)}"
        if [ -n "$names" ] || ! grep -qE '^Passed!' "$log" || grep -qE '^Failed!' "$log"; then
            failures=$((failures + 1))
            [ -n "$names" ] && echo "$names" | sed 's/^/    FAILED /'
        fi
    done
    [ "$failures" -gt 0 ] && failed_runs=$((failed_runs + 1))
done

echo "$failed_runs of $runs runs had failures (logs in $logdir)"
exit "$failed_runs"
