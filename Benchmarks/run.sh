#!/usr/bin/env bash
# The parse and validation benchmarks, in one command: `bash Benchmarks/run.sh [--quick] [--rows N] [--runs N]`.
# Builds switchboard-bench in release mode, then runs Benchmarks/run.py (see docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")"
# SwiftPM keeps its build plan for a path dependency and misses Swift files added to or removed
# from ../Sources since the last build; dropping the plan makes it list them again.
rm -f .build/release.yaml
swift build -c release --product switchboard-bench >&2
exec python3 run.py --bin "$(swift build -c release --show-bin-path)/switchboard-bench" "$@"
