#!/usr/bin/env bash
# `make bench`: every speed aim of issue 14 measured in one run, each beside its anchor on the
# same machine at the same time, then the ratio table (docs/BENCHMARKS.md, "The aims side by
# side"). Release builds; ReportLab and rl_accel in a virtual environment of their own
# (.build/bench-venv, from PyPI); sqlite3, wrk, GNU time and taskset from Debian.
#
#   make bench                        # about 4 minutes on 2 cores, release builds done
#   LINES=1000000 ASSURES=20000 ROUNDS=5 make bench
#
# Each figure is the median of ROUNDS runs (3), the runs of a figure and of its anchor
# alternated: on a shared machine one run of either side can be 30 % off.
set -euo pipefail
cd "$(dirname "$0")/../.."
lines=${LINES:-300000}
assures=${ASSURES:-5000}
duration=${DURATION:-10s}
rounds=${ROUNDS:-3}
dir=${BENCH_DIR:-.build/bench-tout}
rm -rf "$dir" && mkdir -p "$dir"
swift build -c release --product releve >/dev/null 2>&1
swift build -c release --product releve-bench >/dev/null 2>&1
releve=$(pwd)/.build/release/releve
bench=$(pwd)/.build/release/releve-bench
venv=.build/bench-venv
if [ ! -x "$venv/bin/python3" ] || ! "$venv/bin/python3" -c "import reportlab, _rl_accel" 2>/dev/null; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q "reportlab==4.*" rl_accel >/dev/null
fi
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB, kernel $(uname -r); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $machine"

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# 1. One statement, one core, against ReportLab drawing the same content; then two threads.
echo "== statements (releve-bench rendu, reportlab_statement.py; $rounds rounds)"
ones=""; twos=""; reportlabs=""
for _ in $(seq "$rounds"); do
    ones="$ones $(cd "$dir" && taskset -c 0 "$bench" rendu --nombre 2000 | sed -n 's/^1 thread: \([0-9]*\) statements\/s.*/\1/p')"
    reportlabs="$reportlabs $(taskset -c 0 "$venv/bin/python3" docs/bench/reportlab_statement.py 1000 | sed -n 's/.*= \([0-9]*\) statements\/s.*/\1/p')"
    twos="$twos $(cd "$dir" && "$bench" rendu --nombre 2000 | sed -n 's/.*2 threads: \([0-9]*\) statements\/s.*/\1/p')"
done
one=$(echo "$ones" | median); two=$(echo "$twos" | median); reportlab=$(echo "$reportlabs" | median)
echo "   releve one core$ones/s (median $one), two threads$twos/s (median $two); reportlab one core$reportlabs/s (median $reportlab)"

# 2. Import on one core against sqlite3's .import into the same indexed table.
echo "== import ($lines lines; docs/bench/import.sh; $rounds rounds)"
imports=""; sqlites=""; import_twos=""
for _ in $(seq "$rounds"); do
    LINES=$lines BENCH_DIR="$dir/import" docs/bench/import.sh > "$dir/import.txt" 2> "$dir/import.err"
    imports="$imports $(awk -F'|' '$2 ~ /^ releve / {gsub(/ /, "", $4); print $4}' "$dir/import.txt")"
    sqlites="$sqlites $(awk -F'|' '$2 ~ /^ sqlite3-indexed / {gsub(/ /, "", $4); print $4}' "$dir/import.txt")"
    import_twos="$import_twos $(awk -F'|' '$2 ~ /^ releve-two-cores / {gsub(/ /, "", $4); print $4}' "$dir/import.txt")"
done
import_rate=$(echo "$imports" | median); sqlite_rate=$(echo "$sqlites" | median); import_two=$(echo "$import_twos" | median)
echo "   releve$imports lines/s (median $import_rate; two cores$import_twos, median $import_two); sqlite3 .import (indexed)$sqlites (median $sqlite_rate)"

# 3. Issuing a month end to end (both cores), against the bare two-thread rendering rate.
echo "== issuing October 2026 for $assures assurés"
"$releve" echantillon --assures "$assures" --mois 12 --fin 2026-10 --graine 1 --format csv --sortie "$dir/feed.csv" >/dev/null 2>&1
"$releve" importer --base "$dir/imported.sqlite" "$dir/feed.assures.jsonl" "$dir/feed.csv" >/dev/null 2>&1
sqlite3 "$dir/imported.sqlite" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
issues=""; anchors=""
for round in $(seq "$rounds"); do
    # The anchor in the same minutes, alternated with the issuing runs as every other
    # figure is with its anchor (issuing comes minutes after the statements' own rounds).
    anchors="$anchors $(cd "$dir" && "$bench" rendu --nombre 2000 --fils 2 | sed -n 's/^2 thread(s): \([0-9]*\) statements\/s.*/\1/p')"
    # A fresh copy of the same imported base each round (and its key), in a place of its own:
    # the rounds' archives are deleted only after the last round. Deleting the last round's
    # 3 813 PDFs (110 MB) before a round made it about 40 % slower on this machine (ext4
    # mounted with `discard` on a virtual disk: 3.7–3.9 s per run in fresh folders, 5.1–5.4 s
    # right after deleting earlier runs' folders, a `sync` and even a 25 s pause between).
    base="$dir/month-$round.sqlite"
    cp "$dir/imported.sqlite" "$base" && cp "$dir/imported.sqlite.cle" "$base.cle"
    # The copy written out first: issuing syncs the file system each chunk and would
    # otherwise pay for it.
    sync
    start=$(date +%s.%N)
    "$releve" admin releves emettre --mois 2026-10 --base "$base" >/dev/null 2>&1
    end=$(date +%s.%N)
    issued=$(sqlite3 "$base" "SELECT count(*) FROM statement")
    issues="$issues $(awk -v n="$issued" -v a="$start" -v b="$end" 'BEGIN { printf "%d", n / (b - a) }')"
done
rm -rf "$dir"/month-*
issue_rate=$(echo "$issues" | median); issue_anchor=$(echo "$anchors" | median)
echo "   $issued statements each run:$issues statements/s (median $issue_rate); bare rendering, two threads, before each run:$anchors/s (median $issue_anchor)"

# 4. Pages and API under wrk, against the same server's health route.
echo "== web (wrk -t2 -c64 -d$duration, releve demo)"
wrk_line() { # path header → "requests/s p99_ms"
    local out
    out=$(wrk -t2 -c64 -d"$duration" --latency -H "$2" "http://127.0.0.1:$port$1")
    local rate p99
    rate=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; printf "%.1f", v}')
    echo "$rate $p99"
}
(
    # shellcheck source=Tests/web/serveur-demo.sh
    source Tests/web/serveur-demo.sh
    token=$(token 2880999109042 71946258)
    {
        echo "sante $(wrk_line /sante "X-Releve-Bench: 1")"
        echo "page $(wrk_line /paiements "Cookie: __Host-releve=$token")"
        echo "api $(wrk_line /api/v1/paiements "Authorization: Bearer $token")"
    } > "$dir/web.txt" 2>/dev/null || true
) || true
read -r _ sante_rate sante_p99 < <(grep '^sante' "$dir/web.txt")
read -r _ page_rate page_p99 < <(grep '^page' "$dir/web.txt")
read -r _ api_rate api_p99 < <(grep '^api' "$dir/web.txt")
echo "   /sante $sante_rate/s p99 $sante_p99 ms; page $page_rate/s p99 $page_p99 ms; API $api_rate/s p99 $api_p99 ms"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "?" }'; }
percent() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f %%", 100 * a / b; else print "?" }'; }
met() { awk -v v="$1" -v aim="$2" 'BEGIN { print (v >= aim ? "met" : "missed") }'; }
echo
echo "machine: $machine; each figure the median of $rounds runs"
echo
echo "| what | Releve | anchor in the same run | ratio | aim | |"
echo "|---|---|---|---|---|---|"
r=$(awk -v a="$one" -v b="$reportlab" 'BEGIN { print a / b }')
echo "| one statement, one core | $one/s | ReportLab + rl_accel $reportlab/s | $(ratio "$one" "$reportlab") | ≥ 3× | $(met "$r" 3) |"
r=$(awk -v a="$two" -v b="$one" 'BEGIN { print a / b }')
echo "| two threads against one | $two/s | one thread $one/s | $(ratio "$two" "$one") | ≥ 1.8× | $(met "$r" 1.8) |"
r=$(awk -v a="$import_rate" -v b="$sqlite_rate" 'BEGIN { print a / b }')
echo "| import $lines lines, one core | $import_rate lines/s | sqlite3 .import, indexed table $sqlite_rate lines/s | $(ratio "$import_rate" "$sqlite_rate") | ≥ 1.0× | $(met "$r" 1.0) |"
r=$(awk -v a="$import_two" -v b="$sqlite_rate" 'BEGIN { print a / b }')
echo "| import, parsing and writing on two cores | $import_two lines/s | same sqlite3 .import (one core) | $(ratio "$import_two" "$sqlite_rate") | (≥ 1.0×, beside the one-core figure) | $(met "$r" 1.0) |"
r=$(awk -v a="$issue_rate" -v b="$issue_anchor" 'BEGIN { print a / b }')
echo "| issuing a month ($assures assurés), end to end | $issue_rate/s | bare rendering, two threads, in the same minutes $issue_anchor/s | $(percent "$issue_rate" "$issue_anchor") | ≥ 80 % | $(met "$r" 0.8) |"
r=$(awk -v a="$page_rate" -v b="$sante_rate" -v p="$page_p99" 'BEGIN { print (p < 10 ? a / b : 0) }')
echo "| logged-in « Mes paiements », 64 connections | $page_rate req/s, p99 $page_p99 ms | \`/sante\` $sante_rate req/s, p99 $sante_p99 ms | $(percent "$page_rate" "$sante_rate") | ≥ 50 %, p99 < 10 ms | $(met "$r" 0.5) |"
r=$(awk -v a="$api_rate" -v b="$sante_rate" -v p="$api_p99" 'BEGIN { print (p < 10 ? a / b : 0) }')
echo "| \`GET /api/v1/paiements\` | $api_rate req/s, p99 $api_p99 ms | same \`/sante\` | $(percent "$api_rate" "$sante_rate") | ≥ 50 %, p99 < 10 ms | $(met "$r" 0.5) |"
