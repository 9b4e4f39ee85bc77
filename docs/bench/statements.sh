#!/usr/bin/env bash
# Statements and payments-query benchmarks (docs/BENCHMARKS.md).
#
#   make bench-statements            # rendering vs ReportLab, issuing a month, the payments query
#   ASSURES=100000 make bench-statements
#
# Needs: a release build (made here), python3 with reportlab and rl_accel (pip install
# reportlab rl_accel), GNU time, taskset.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${BENCH_DIR:-.build/bench-statements}
assures=${ASSURES:-100000}
mkdir -p "$dir"
swift build -c release --product releve >/dev/null
swift build -c release --product releve-bench >/dev/null
bin=.build/release/releve
bench=$(pwd)/.build/release/releve-bench

echo "## Rendering one statement (15 lines, address, totals, 6-bar chart, footer)"
(cd "$dir" && taskset -c 0 "$bench" rendu --nombre 2000 | sed 's/^/    /')
(cd "$dir" && "$bench" rendu --nombre 2000 | tail -n 1 | sed 's/^/    (both cores) /')
taskset -c 0 python3 docs/bench/reportlab_statement.py 1000 | sed 's/^/    /'
echo "## Where the statement's bytes go"
python3 docs/bench/taille_releve.py "$dir/bench-statement.pdf" | sed 's/^/    /'

echo "## Issuing October 2026 for $assures assurés (12 months of payments), both cores"
rm -rf "$dir"/month.sqlite* "$dir"/feed.*
"$bin" echantillon --assures "$assures" --mois 12 --fin 2026-10 --graine 1 --format csv --sortie "$dir/feed.csv" >/dev/null 2>&1
"$bin" importer --base "$dir/month.sqlite" "$dir/feed.assures.jsonl" "$dir/feed.csv" >/dev/null 2>&1
/usr/bin/time -o "$dir/time.txt" -f "%e s, peak RSS %M KB" "$bin" admin releves emettre --mois 2026-10 --base "$dir/month.sqlite" 2>/dev/null | sed 's/^/    /'
echo "    wall: $(cat "$dir/time.txt")"
echo "    archive: $(du -sh "$dir/month.sqlite.archives" | cut -f1)"

echo "## The detailed 6-month payments query of one assuré"
"$bench" requete "$dir/month.sqlite" --essais 2000 | sed 's/^/    /'
