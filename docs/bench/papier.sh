#!/usr/bin/env bash
# Print batches and insurer exports as the caisse grows (docs/BENCHMARKS.md, issue 14): for each
# size, a fresh base of generated assurés with October 2026 paid, imported and issued (no
# accounts, so every statement goes to the postal outbox), then, timed with GNU time:
#   releve admin courriers lot              (volumes of 500 letters and a manifest)
#   releve admin complementaires exporter   (one CSV per insurer)
# Prints per size: letters, pages, seconds, letters/s, ms per letter, peak RSS, bytes per letter;
# export lines, seconds, µs per line, peak RSS. Release build; GNU time and sqlite3 from Debian.
#
#   make bench-papier                       # 10 000, 30 000 and 100 000 assurés (about 25 minutes)
#   SIZES="2000 5000" make bench-papier     # a quick look
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=${SIZES:-10000 30000 100000}
root=${BENCH_DIR:-.build/bench-papier}
swift build -c release --product releve >/dev/null 2>&1
releve=$(pwd)/.build/release/releve
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| assurés | letters | pages | print batch | letters/s | ms/letter | peak RSS | KB/letter | export lines | exports | µs/line | peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for size in $sizes; do
    # A new folder per size: ext4 is slower to reuse the inodes of files just deleted.
    dir="$root/$size-$(date +%s)"
    mkdir -p "$dir"
    "$releve" echantillon --assures "$size" --mois 1 --fin 2026-10 --graine 1 --sortie "$dir/feed.jsonl" >/dev/null 2>&1
    "$releve" importer --base "$dir/base.sqlite" "$dir/feed.jsonl" >/dev/null 2>&1
    "$releve" admin releves emettre --mois 2026-10 --base "$dir/base.sqlite" --sans-vignettes >/dev/null 2>&1
    /usr/bin/time -o "$dir/lot.time" -f "%e %M" "$releve" admin courriers lot --base "$dir/base.sqlite" > "$dir/lot.out" 2>"$dir/lot.err"
    /usr/bin/time -o "$dir/export.time" -f "%e %M" "$releve" admin complementaires exporter --base "$dir/base.sqlite" > "$dir/export.out" 2>"$dir/export.err"
    letters=$(sqlite3 "$dir/base.sqlite" "SELECT count(*) FROM letter WHERE printed_at IS NOT NULL")
    pages=$(sed -n 's/.*courriers, \([0-9 ]*\) pages.*/\1/p' "$dir/lot.out" | tr -d ' \302\240')
    bytes=$(cat "$dir/base.sqlite.lots"/*.pdf | wc -c)
    # Lines exported: every CSV's rows, its header left out.
    lines=$(for f in "$dir"/base.sqlite.exports/*/*.csv; do tail -n +2 "$f"; done | wc -l)
    read -r lot_s lot_kb < "$dir/lot.time"
    read -r export_s export_kb < "$dir/export.time"
    awk -v n="$size" -v l="$letters" -v p="${pages:-?}" -v s="$lot_s" -v k="$lot_kb" -v b="$bytes" \
        -v x="$lines" -v xs="$export_s" -v xk="$export_kb" 'BEGIN {
        printf "| %d | %d | %s | %.1f s | %.0f | %.2f | %.0f MB | %.0f | %d | %.2f s | %.1f | %.0f MB |\n",
            n, l, p, s, l / s, 1000 * s / l, k / 1024, b / l / 1024, x, xs, 1e6 * xs / (x > 0 ? x : 1), xk / 1024 }'
    rm -rf "$dir/base.sqlite.archives" "$dir/base.sqlite.lots"
done
