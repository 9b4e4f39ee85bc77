#!/usr/bin/env bash
# Import benchmark (docs/BENCHMARKS.md): Releve's `importer` against sqlite3's `.import` of the
# same CSV rows, (a) into a bare table and (b) into a table with Releve's unique and lookup
# indexes, all pinned to one core, with wall time and peak RSS from /usr/bin/time.
#
#   make bench-import                 # about 1 000 000 payment lines
#   LINES=5000000 make bench-import   # a larger feed (about 1 GB of CSV at 5 500 000 lines)
#
# Needs: a release build (made here), sqlite3, GNU time, taskset.
set -euo pipefail
cd "$(dirname "$0")/../.."
lines_target=${LINES:-1000000}
dir=${BENCH_DIR:-.build/bench}
mkdir -p "$dir"
rm -f "$dir"/*.sqlite*

swift build -c release --product releve >/dev/null
bin=.build/release/releve
# About 2.4 lines per assuré and month in the generator: 12 months.
persons=$(( lines_target / 29 + 1 ))
"$bin" echantillon --assures "$persons" --mois 12 --fin 2026-10 --graine 1 --format csv --sortie "$dir/paiements.csv" >/dev/null 2>&1
rows=$(( $(wc -l < "$dir/paiements.csv") - 1 ))
bytes=$(stat -c %s "$dir/paiements.csv")

measure() { # label, command... ; prints "label seconds rss_kb"
    local label=$1; shift
    sync  # what earlier steps wrote is on disk before the clock starts
    /usr/bin/time -o "$dir/time.txt" -f "%e %M" taskset -c "${CORES:-0}" "$@" >/dev/null 2>&1
    echo "$label $(tail -n 1 "$dir/time.txt")"
}

# Releve: the registry first (not timed), then the payment lines.
"$bin" importer --base "$dir/releve.sqlite" "$dir/paiements.assures.jsonl" >/dev/null 2>&1
r=$(measure releve "$bin" importer --base "$dir/releve.sqlite" "$dir/paiements.csv")
# The same import on both cores: the importer parses on one thread and writes on another
# (the issue allows it beside the one-core figure, which stays the first row).
"$bin" importer --base "$dir/releve2.sqlite" "$dir/paiements.assures.jsonl" >/dev/null 2>&1
r2=$(CORES=0,1 measure releve-two-cores "$bin" importer --base "$dir/releve2.sqlite" "$dir/paiements.csv")

cols="reference TEXT, nir TEXT, date_paiement TEXT, destinataire TEXT, destinataire_nom TEXT, nature TEXT, date_soins TEXT, rang_beneficiaire INTEGER, type TEXT, code TEXT, libelle TEXT, professionnel TEXT, quantite INTEGER, montant_paye INTEGER, base INTEGER, taux_pb INTEGER, rembourse INTEGER, transmis_complementaire INTEGER"
sqlite3 "$dir/bare.sqlite" "PRAGMA journal_mode=WAL; CREATE TABLE line($cols);" >/dev/null
a=$(measure sqlite3-bare sqlite3 -cmd "PRAGMA synchronous=FULL" "$dir/bare.sqlite" ".import --csv --skip 1 $dir/paiements.csv line")
# Releve's indexes on a flat table: the payment reference (unique per payment, so not unique
# per row here) and the (assuré, payment date) lookup.
sqlite3 "$dir/indexed.sqlite" "PRAGMA journal_mode=WAL; CREATE TABLE line($cols); CREATE INDEX line_reference ON line(reference); CREATE INDEX line_by_person_date ON line(nir, date_paiement);" >/dev/null
b=$(measure sqlite3-indexed sqlite3 -cmd "PRAGMA synchronous=FULL" "$dir/indexed.sqlite" ".import --csv --skip 1 $dir/paiements.csv line")

check=$(sqlite3 "$dir/releve.sqlite" "SELECT count(*) FROM payment_line")
[ "$check" = "$rows" ] || { echo "Releve imported $check lines, expected $rows" >&2; exit 1; }

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB; SQLite $(sqlite3 --version | cut -d' ' -f1); $(date -u +%Y-%m-%d)"
echo "Feed: $rows payment lines, $(( bytes / 1048576 )) MiB of CSV ($persons assurés × 12 months)"
echo
echo "| importer (one core unless said) | seconds | lines/s | peak RSS | vs sqlite3 bare | vs sqlite3 indexed |"
echo "|---|---|---|---|---|---|"
ta=$(echo "$a" | cut -d' ' -f2); tb=$(echo "$b" | cut -d' ' -f2)
for m in "$r" "$r2" "$a" "$b"; do
    set -- $m
    awk -v l="$1" -v s="$2" -v k="$3" -v n="$rows" -v ta="$ta" -v tb="$tb" 'BEGIN {
        printf "| %s | %.2f | %d | %.0f MB | %.2f× | %.2f× |\n", l, s, n / s, k / 1024, ta / s, tb / s }'
done
