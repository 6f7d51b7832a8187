#!/usr/bin/env bash
# Opens an audit's report.html in headless Chromium, as a person's browser would, once its script has run.
#
#   scripts/render_report.sh HTML_PATH [PNG_PATH]
#
# Prints the rendered DOM (`chromium --dump-dom`) to standard output. With PNG_PATH it also
# saves a 1280x1800 screenshot there. HTML_PATH may end with a fragment that sets the view,
# e.g. 'audit/report.html#code=audit.orphan-extension&sort=username&dir=desc'.
# Needs chromium on PATH: scripts/install-chromium.sh installs it.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 HTML_PATH[#FRAGMENT] [PNG_PATH]" >&2
    exit 64
fi
if ! command -v chromium >/dev/null 2>&1; then
    echo "render_report.sh: chromium is not on PATH; run scripts/install-chromium.sh" >&2
    exit 69
fi

page="$1"
fragment=""
case "$page" in
    *#*) fragment="#${page#*#}"; page="${page%%#*}" ;;
esac
if [ ! -f "$page" ]; then
    echo "render_report.sh: no such file: $page" >&2
    exit 66
fi
absolute="$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
# Percent-encode what a file:// URL cannot hold as it is (% first).
encoded="$(printf '%s' "$absolute" | sed -e 's/%/%25/g' -e 's/ /%20/g' -e 's/#/%23/g' -e 's/?/%3F/g')"
url="file://$encoded$fragment"

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: Chromium refuses to run as root with its sandbox. A fresh profile per run lets
# several renders run at once. The virtual-time budget lets the page's script finish first.
# A hung browser is killed after 60 seconds rather than hanging a test or a cron job.
browser=(
    timeout --kill-after=5 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
    --user-data-dir="$profile" --virtual-time-budget=2000 --hide-scrollbars
)

"${browser[@]}" --dump-dom "$url" 2>"$profile/stderr.txt" || {
    cat "$profile/stderr.txt" >&2
    exit 1
}

if [ $# -eq 2 ]; then
    mkdir -p "$(dirname "$2")"
    png="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
    "${browser[@]}" --screenshot="$png" --window-size=1280,1800 "$url" >/dev/null 2>"$profile/stderr.txt" || {
        cat "$profile/stderr.txt" >&2
        exit 1
    }
    echo "render_report.sh: wrote $png" >&2
fi
