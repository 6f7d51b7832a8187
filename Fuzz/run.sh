#!/usr/bin/env bash
# Builds both fuzz targets and runs each for SECONDS_PER_TARGET seconds (default 900).
#   ./run.sh [SECONDS_PER_TARGET]
# PARALLEL=1 runs the two targets at the same time (default); PARALLEL=0 runs them in turn.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
seconds="${1:-900}"
parallel="${PARALLEL:-1}"
export SWIFT_BACKTRACE=enable=no
# SwiftPM keeps its build plan for a path dependency and misses Swift files added to or removed
# from ../Sources since the last build; dropping the plan makes it list them again.
rm -f .build/release.yaml

swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
bin="$(swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --show-bin-path)"
./seed-corpus.sh
mkdir -p artifacts logs

run_target() {
    local target="$1" corpus="$2"
    "$bin/$target" "$corpus" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="artifacts/$target-" \
        > "logs/$target.log" 2>&1 || echo "$target exited with status $? (see logs/$target.log)"
}

echo "fuzzing fuzz-csv and fuzz-validate for ${seconds}s each (parallel=$parallel); load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$parallel" = 1 ]; then
    run_target fuzz-csv corpus-csv &
    run_target fuzz-validate corpus-validate &
    wait
else
    run_target fuzz-csv corpus-csv
    run_target fuzz-validate corpus-validate
fi

for target in fuzz-csv fuzz-validate; do
    echo "== $target"
    grep -E '^#[0-9]+.*(DONE|cov:)' "logs/$target.log" | tail -1 || true
    grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb' "logs/$target.log" || true
    grep -E 'invariant failed|ERROR: (AddressSanitizer|libFuzzer)|Fatal error|SUMMARY' "logs/$target.log" | head -5 || true
done
echo "corpus: fuzz-csv $(ls corpus-csv | wc -l) inputs, fuzz-validate $(ls corpus-validate | wc -l) inputs"
echo "crash files:"
ls -l artifacts/ 2>/dev/null | grep -E 'crash-|leak-|timeout-|oom-' || echo "  none"
