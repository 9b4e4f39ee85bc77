#!/usr/bin/env bash
# Issue 10, class 7: how long a login waits while `releve importer` writes a large feed
# (release build). Generates about ASSURES × 12 months of payments (35 000 → ~1 M lines),
# starts the import, and meanwhile times `releve connexion` (a wrong code for an unknown NIR:
# the attempt is written, then refused) once a second; prints each login's time, their
# p50/max, the import's duration and lines/s, and the quick check's time on the final base.
#   ASSURES=35000 docs/bench/import-login.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ASSURES=${ASSURES:-35000}
swift build -c release --product releve >/dev/null
releve=$PWD/.build/release/releve
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RELEVE_BASE="$work/r.sqlite" XDG_CONFIG_HOME="$work/config"
"$releve" echantillon --assures "$ASSURES" --mois 12 --fin 2026-10 --sortie "$work/flux.jsonl" 2>/dev/null
"$releve" admin audit >/dev/null
lines=$(wc -l < "$work/flux.jsonl")
echo "machine: $(nproc) cores, $(uname -r); feed $lines JSON lines ($(du -h "$work/flux.jsonl" | cut -f1))"
start=$(date +%s.%N)
"$releve" importer "$work/flux.jsonl" > "$work/import.log" 2>&1 &
importer=$!
times=()
while kill -0 "$importer" 2>/dev/null; do
    t0=$(date +%s.%N)
    echo 84061539 | "$releve" connexion --nir 1850575112003 >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    if kill -0 "$importer" 2>/dev/null; then times+=("$(echo "$t1 - $t0" | bc)"); fi
    sleep 1
done
wait "$importer"
end=$(date +%s.%N)
tail -1 "$work/import.log"
printf '%s\n' "${times[@]}" | sort -n > "$work/times"
n=$(wc -l < "$work/times")
echo "import : $(echo "$end - $start" | bc) s ; $n connexions pendant l'import : p50 $(sed -n "$(( (n + 1) / 2 ))p" "$work/times") s, max $(tail -1 "$work/times") s"
echo "connexion sans import : $( { /usr/bin/time -f %e sh -c "echo 84061539 | $releve connexion --nir 1850575112003 >/dev/null 2>&1" ; } 2>&1 ) s"
echo "quick_check sur la base finale ($(du -h "$work/r.sqlite" | cut -f1)) : $( { /usr/bin/time -f %e sqlite3 "$work/r.sqlite" 'PRAGMA quick_check;' >/dev/null; } 2>&1 ) s"
