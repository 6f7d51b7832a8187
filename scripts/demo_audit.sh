#!/usr/bin/env bash
# A real audit of a demo directory with a finding of every audit.* code, rendered in headless
# Chromium: the screenshot in docs/audit-report.png.
#
#   bash scripts/demo_audit.sh [PNG_PATH]     (default docs/audit-report.png)
#
# Imports samples/onboarding.csv under a lax policy, then changes the database behind the
# importer's back the way a legacy tool would (an orphan extension, a disabled profile still
# holding its extension, an old passcode...), audits it three times with fixes in between
# (for the trend), and renders the last report. Needs chromium (scripts/install-chromium.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
png="$(realpath -m "${1:-$root/docs/audit-report.png}")"
cd "$root"
swift build --product switchboard >&2
bin="$(swift build --show-bin-path)/switchboard"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

cat > lax.toml <<'TOML'
[profile]
max_extensions = 2
[voicemail]
digit_length = 0
TOML
cat > strict.toml <<'TOML'
[passcode]
max_age_days = 365
TOML
"$bin" import "$root/samples/onboarding.csv" --policy lax.toml --quiet > /dev/null
cat > extra.csv <<'CSV'
action,type,username,first_name,last_name,email,extension,site,phone_number,voicemail,device_name
upsert,user,bnakamura,Beatriz,Nakamura,beatriz.nakamura@example.com,4112,paris,,,
add,user,jstrauss,Johann,Strauss,Strauss@example.com,41050,vienna,+43 1 588 8501,yes,
add,user,jstrauß,Johanna,Strauß,strauß@example.com,4106,vienna,,no,
add,user,hleaver,Hanna,Leaver,hanna.leaver@example.com,4120,london,,no,SEP00AA11BB2299
CSV
"$bin" import extra.csv --policy lax.toml --quiet > /dev/null
sqlite3 switchboard.sqlite <<'SQL'
UPDATE extension SET passcode_set_at = '2024-09-01T08:00:00.000Z' WHERE number IN ('4101', '4103');
UPDATE profile SET status = 'disabled' WHERE username = 'hleaver';
INSERT INTO em_profile (name, name_key, created_at) VALUES ('SEP00AA11BB2299', 'sep00aa11bb2299', '2024-01-01');
UPDATE profile SET last_name = NULL WHERE username = 'ayilmaz';
INSERT INTO extension (profile_id, site, site_key, number) VALUES (NULL, 'paris', 'paris', '4199');
INSERT INTO extension (profile_id, site, site_key, number) VALUES (NULL, 'berlin', 'berlin', '4299');
SQL
"$bin" audit --policy strict.toml --out day1 > /dev/null || true
"$bin" confirm-e911 ihashemi tmueller > /dev/null
"$bin" audit --policy strict.toml --out day2 > /dev/null || true
sqlite3 switchboard.sqlite "DELETE FROM extension WHERE number = '4299'"
"$bin" confirm-e911 mokafor > /dev/null
"$bin" audit --policy strict.toml --out day3 || true
bash "$root/scripts/render_report.sh" day3/report.html "$png" > /dev/null
echo "screenshot: $png" >&2
