#!/usr/bin/env bash
# Builds the seed corpora Fuzz/corpus-csv/ and Fuzz/corpus-validate/ from the sample files
# and the rust-csv-core conformance files. Existing corpus entries are kept.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
conformance="${CONFORMANCE_DIR:-/work/shared/conformance/rust-csv-core/csv}"
mkdir -p "$here/corpus-csv" "$here/corpus-validate"
shopt -s nullglob
count=0
for file in "$here"/../samples/*.csv "$conformance"/*.csv; do
    name="$(basename "$(dirname "$file")")-$(basename "$file" .csv)"
    # fuzz-validate takes the file as it is.
    cp "$file" "$here/corpus-validate/$name"
    # fuzz-csv takes three control bytes first: chunk size, dialect, limits.
    printf '\x00\x00\x80' | cat - "$file" > "$here/corpus-csv/$name-chunk1-sniff"
    printf '\x06\x06\x05' | cat - "$file" > "$here/corpus-csv/$name-chunk7-escapes-small"
    printf '\xff\x01\x80' | cat - "$file" > "$here/corpus-csv/$name-chunk4096-comma"
    printf '\x10\x02\x43' | cat - "$file" > "$here/corpus-csv/$name-chunk17-semicolon-tiny"
    count=$((count + 1))
done
echo "seeded $count files: $(ls "$here/corpus-csv" | wc -l) fuzz-csv inputs, $(ls "$here/corpus-validate" | wc -l) fuzz-validate inputs"
