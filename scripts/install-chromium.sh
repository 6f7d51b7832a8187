#!/usr/bin/env bash
# Installs Debian's chromium package when no `chromium` is on PATH, for the browser test of report.html.
#
# Idempotent and fast: it returns at once when chromium is already there. It uses sudo only
# when not root, and runs `apt-get update` only when the install fails without it (a fresh
# machine has no package lists yet). apt's output is shown only when something fails.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

install_chromium() {
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >>"$log" 2>&1
}

if ! install_chromium; then
    echo "install-chromium.sh: updating the package lists, then installing chromium" >&2
    if ! { "${as_root[@]}" apt-get update -qq >>"$log" 2>&1 && install_chromium; }; then
        cat "$log" >&2
        echo "install-chromium.sh: could not install chromium" >&2
        exit 1
    fi
fi

if ! command -v chromium >/dev/null 2>&1; then
    echo "install-chromium.sh: chromium is still not on PATH after the install" >&2
    exit 1
fi
