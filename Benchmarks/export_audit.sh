#!/usr/bin/env bash
# The export and audit benchmark, in one command:
#   bash Benchmarks/export_audit.sh [--rows N] [--runs N] [--quick] [--strict]
# Builds the switchboard CLI in release mode from the package root, then runs
# Benchmarks/export_audit_bench.py (see docs/performance.md, "Export and audit").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build -c release --product switchboard >&2
exec python3 Benchmarks/export_audit_bench.py --bin "$(swift build -c release --show-bin-path)/switchboard" "$@"
