#!/usr/bin/env bash
# The import benchmark, in one command:
#   bash Benchmarks/import.sh [--rows N] [--runs N] [--secret-rows N] [--change-rows N] [--quick] [--strict]
# Builds the switchboard CLI in release mode from the package root, then runs
# Benchmarks/import_bench.py (see docs/performance.md, "Import (`switchboard import`)").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build -c release --product switchboard >&2
exec python3 Benchmarks/import_bench.py --bin "$(swift build -c release --show-bin-path)/switchboard" "$@"
