#!/usr/bin/env bash
# The detailed 6-month payments query of one assuré, as the table grows (docs/BENCHMARKS.md).
#
#   make bench-query                       # 100 000, 1 000 000 and 10 000 000 payment lines
#   SIZES="100000 1000000" make bench-query
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${BENCH_DIR:-.build/bench-query}
mkdir -p "$dir"
swift build -c release --product releve >/dev/null
swift build -c release --product releve-bench >/dev/null
for lines in ${SIZES:-100000 1000000 10000000}; do
    persons=$(( lines / 29 + 1 ))
    rm -f "$dir"/q.sqlite* "$dir"/q.csv "$dir"/q.assures.jsonl
    .build/release/releve echantillon --assures "$persons" --mois 12 --fin 2026-10 --graine 1 --format csv --sortie "$dir/q.csv" >/dev/null 2>&1
    .build/release/releve importer --base "$dir/q.sqlite" "$dir/q.assures.jsonl" "$dir/q.csv" >/dev/null 2>&1
    echo "$(printf '%9d' "$lines") target: $(.build/release/releve-bench requete "$dir/q.sqlite" --essais 5000)"
done
rm -f "$dir"/q.csv "$dir"/q.assures.jsonl
