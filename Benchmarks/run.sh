#!/usr/bin/env bash
# The parse benchmark, in one command: `bash Benchmarks/run.sh [--quick] [--rows N] [--runs N]`.
# Builds switchboard-bench in release mode, then runs Benchmarks/run.py (see docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")"
swift build -c release --product switchboard-bench >&2
exec python3 run.py --bin "$(swift build -c release --show-bin-path)/switchboard-bench" "$@"
