#!/usr/bin/env bash
# Issue 13 on PostgreSQL (docs/BENCHMARKS.md), each figure against its anchor in the same run,
# on a throwaway cluster (Tests/postgres/grappe.sh) on this machine:
#   1. import of a CSV feed into PostgreSQL, against psql loading the same rows into the same
#      tables (\copy to a temporary table, then INSERT … SELECT), and into one flat table with
#      Releve's two lookup indexes (reference; assuré and date);
#   2. the detailed 6-month payments query (p50/p99) at QUERY_LINES lines;
#   3. the logged-in payments page with wrk: one `servir` node, then two on the same base
#      (both on this machine's cores), against the health route;
#   4. issuing a month: one worker process, then two at once on the same month.
#
#   make bench-postgres                               # 1 000 000 lines to import, 10 000 000 queried
#   LINES=200000 QUERY_LINES=1000000 make bench-postgres
#
# Needs: postgresql (server and client), wrk, GNU time, taskset; run as root (the cluster runs
# as the postgres user).
set -euo pipefail
cd "$(dirname "$0")/../.."
lines_target=${LINES:-1000000}
query_lines=${QUERY_LINES:-10000000}
duration=${DURATION:-15s}
issue_persons=${ISSUE_PERSONS:-2000}
dir=${BENCH_DIR:-$PWD/.build/bench-postgres}
mkdir -p "$dir"
chmod 755 "$dir"
export RELEVE_GRAPPE_ETAT=/tmp/releve-bench-postgres RELEVE_GRAPPE_SANS_REPLIQUE=1
eval "$(Tests/postgres/grappe.sh demarrer)"
servers=()
cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
    Tests/postgres/grappe.sh arreter
}
trap cleanup EXIT
pg=$RELEVE_TEST_POSTGRES
database() { psql "$pg" -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; echo "${pg%/postgres}/$1"; }

swift build -c release --product releve >/dev/null
swift build -c release --product releve-bench >/dev/null
bin=$PWD/.build/release/releve
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB; $(psql "$pg" -Atc 'SHOW server_version' | cut -d' ' -f1) PostgreSQL; $(date -u +%Y-%m-%d)"

# 1. Import against psql \copy.
persons=$(( lines_target / 29 + 1 ))
"$bin" echantillon --assures "$persons" --mois 12 --fin 2026-10 --graine 1 --format csv --sortie "$dir/paiements.csv" >/dev/null 2>&1
rows=$(( $(wc -l < "$dir/paiements.csv") - 1 ))
chmod 644 "$dir"/paiements.*
import_url=$(database bench_import)
RELEVE_DOSSIER=$dir "$bin" importer --base "$import_url" "$dir/paiements.assures.jsonl" >/dev/null 2>&1
/usr/bin/time -o "$dir/time.txt" -f "%e %M" taskset -c 0 env RELEVE_DOSSIER="$dir" "$bin" importer --base "$import_url" "$dir/paiements.csv" >/dev/null 2>&1
read -r releve_s releve_kb < "$dir/time.txt"
flat_url=$(database bench_flat)
psql "$flat_url" -q <<'SQL'
CREATE TABLE line (reference TEXT, nir TEXT, date_paiement DATE, destinataire TEXT, destinataire_nom TEXT, nature TEXT,
    date_soins DATE, rang_beneficiaire INTEGER, type TEXT, code TEXT, libelle TEXT, professionnel TEXT, quantite INTEGER,
    montant_paye BIGINT, base BIGINT, taux_pb INTEGER, rembourse BIGINT, transmis_complementaire BOOLEAN);
CREATE INDEX line_reference ON line (reference);
CREATE INDEX line_by_person_date ON line (nir, date_paiement);
SQL
/usr/bin/time -o "$dir/time.txt" -f "%e %M" taskset -c 0 psql "$flat_url" -qc "\\copy line FROM '$dir/paiements.csv' WITH (FORMAT csv, HEADER true)" >/dev/null
read -r flat_s _ < "$dir/time.txt"
# The same rows into Releve's own tables (payment, payment_line: their indexes, foreign keys and
# partitions) by psql alone: \copy into a temporary table, then set-based INSERT … SELECT — what a
# DBA would write, without Releve's validation, outcomes or content hashes (md5 stands in).
same_url=$(database bench_same)
RELEVE_DOSSIER=$dir "$bin" importer --base "$same_url" "$dir/paiements.assures.jsonl" >/dev/null 2>&1
cat > "$dir/same.sql" <<SQL
BEGIN;
CREATE TEMP TABLE line_csv (reference TEXT, nir TEXT, date_paiement DATE, destinataire TEXT, destinataire_nom TEXT,
    nature TEXT, date_soins DATE, rang_beneficiaire INTEGER, type TEXT, code TEXT, libelle TEXT, professionnel TEXT,
    quantite INTEGER, montant_paye BIGINT, base BIGINT, taux_pb INTEGER, rembourse BIGINT, transmis_complementaire BOOLEAN,
    n BIGSERIAL) ON COMMIT DROP;
\copy line_csv (reference, nir, date_paiement, destinataire, destinataire_nom, nature, date_soins, rang_beneficiaire, type, code, libelle, professionnel, quantite, montant_paye, base, taux_pb, rembourse, transmis_complementaire) FROM '$dir/paiements.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO import_ledger (sha256, file_name, imported_at, persons, payments, lines, already_present, state)
    VALUES ('psql', 'paiements.csv', 'x', 0, 0, 0, 0, 'done');
SELECT releve_month_partition(m) FROM (SELECT DISTINCT date_trunc('month', date_paiement)::date AS m FROM line_csv) months;
INSERT INTO payment (person_id, reference, payment_date, payee_kind, payee_name, kind, content_hash, import_id)
    SELECT DISTINCT ON (c.reference) s.id, c.reference, c.date_paiement, c.destinataire, nullif(c.destinataire_nom, ''),
        c.nature, decode(md5(c.reference), 'hex'), (SELECT id FROM import_ledger WHERE sha256 = 'psql')
    FROM line_csv c JOIN person s ON s.nir = c.nir ORDER BY c.reference, c.n;
INSERT INTO payment_line (person_id, payment_id, payment_date, position, care_date, beneficiary_rank, kind, act_code,
        label, professional, quantity, paid, base, rate_bp, reimbursed, transmitted)
    SELECT p.person_id, p.id, p.payment_date, row_number() OVER (PARTITION BY c.reference ORDER BY c.n), c.date_soins,
        c.rang_beneficiaire, c.type, c.code, c.libelle, nullif(c.professionnel, ''), c.quantite, c.montant_paye, c.base,
        c.taux_pb, c.rembourse, c.transmis_complementaire
    FROM line_csv c JOIN payment p ON p.reference = c.reference;
COMMIT;
SQL
/usr/bin/time -o "$dir/time.txt" -f "%e %M" taskset -c 0 psql "$same_url" -q -v ON_ERROR_STOP=1 -f "$dir/same.sql" >/dev/null
read -r copy_s _ < "$dir/time.txt"
same=$(psql "$same_url" -Atc "SELECT count(*) FROM payment_line")
[ "$same" = "$rows" ] || { echo "psql loaded $same lines, expected $rows" >&2; exit 1; }
check=$(psql "$import_url" -Atc "SELECT count(*) FROM payment_line")
[ "$check" = "$rows" ] || { echo "Releve imported $check lines, expected $rows" >&2; exit 1; }
echo
echo "== 1. Import, $rows payment lines (client pinned to core 0; the server uses the other)"
echo "| importer | seconds | lines/s | client peak RSS | vs psql into the same tables | vs psql \\copy flat |"
echo "|---|---|---|---|---|---|"
awk -v s="$releve_s" -v k="$releve_kb" -v n="$rows" -v c="$copy_s" -v f="$flat_s" 'BEGIN {
    printf "| releve importer (validated, outcomes, content hashes; set-based + COPY) | %.2f | %d | %.0f MB | %.2f× | %.2f× |\n", s, n / s, k / 1024, c / s, f / s
    printf "| psql: \\copy to a temporary table, INSERT … SELECT into payment and payment_line | %.2f | %d | — | 1.00× | %.2f× |\n", c, n / c, f / c
    printf "| psql: \\copy into one flat table with two indexes | %.2f | %d | — | — | 1.00× |\n", f, n / f }'

# 2. The 6-month query at query_lines.
query_url=$(database bench_query)
if [ "$query_lines" = "$lines_target" ]; then
    query_url=$import_url
else
    qpersons=$(( query_lines / 29 + 1 ))
    "$bin" echantillon --assures "$qpersons" --mois 12 --fin 2026-10 --graine 1 --format csv --sortie "$dir/q.csv" >/dev/null 2>&1
    RELEVE_DOSSIER=$dir "$bin" importer --base "$query_url" "$dir/q.assures.jsonl" "$dir/q.csv" >/dev/null 2>&1
    rm -f "$dir/q.csv" "$dir/q.assures.jsonl"
fi
echo
echo "== 2. The detailed 6-month query"
.build/release/releve-bench requete "$query_url" --essais 5000

# 3. The payments page: one node, then two, on the sample data with its demo accounts.
web_url=$(database bench_web)
mkdir -p "$dir/web"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pa=$(port)
RELEVE_DOSSIER=$dir/web "$bin" demo --base "$web_url" --donnees SampleData --port "$pa" > "$dir/web/a.log" 2>&1 &
servers+=($!)
for _ in $(seq 1 120); do grep -q "sert la vue web" "$dir/web/a.log" 2>/dev/null && break; sleep 0.5; done
pb=$(port)
RELEVE_DOSSIER=$dir/web "$bin" servir --base "$web_url" --port "$pb" > "$dir/web/b.log" 2>&1 &
servers+=($!)
for _ in $(seq 1 120); do grep -q "sert la vue web" "$dir/web/b.log" 2>/dev/null && break; sleep 0.5; done
token=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"nir":"2880999109042","code":"71946258"}' \
    "http://127.0.0.1:$pa/api/v1/sessions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["jeton"])')
rate() { grep "Requests/sec" | awk '{print $2}'; }
p99() { grep -E "^ +99%" | awk '{print $2}'; }
echo
echo "== 3. wrk, 64 connections, $duration each (both nodes and wrk share this machine's $(nproc) cores)"
wrk -t2 -c64 -d"$duration" --latency "http://127.0.0.1:$pa/sante" > "$dir/web/sante.txt"
wrk -t2 -c64 -d"$duration" --latency -H "Cookie: __Host-releve=$token" "http://127.0.0.1:$pa/paiements" > "$dir/web/one.txt"
wrk -t1 -c32 -d"$duration" --latency -H "Cookie: __Host-releve=$token" "http://127.0.0.1:$pa/paiements" > "$dir/web/two-a.txt" &
first_wrk=$!
wrk -t1 -c32 -d"$duration" --latency -H "Cookie: __Host-releve=$token" "http://127.0.0.1:$pb/paiements" > "$dir/web/two-b.txt"
wait "$first_wrk"
echo "| target | requests/s | p99 |"
echo "|---|---|---|"
echo "| /sante, one node | $(rate < "$dir/web/sante.txt") | $(p99 < "$dir/web/sante.txt") |"
echo "| /paiements logged in, one node | $(rate < "$dir/web/one.txt") | $(p99 < "$dir/web/one.txt") |"
echo "| /paiements logged in, two nodes (sum; p99 of each) | $(awk -v a="$(rate < "$dir/web/two-a.txt")" -v b="$(rate < "$dir/web/two-b.txt")" 'BEGIN { printf "%.0f", a + b }') | $(p99 < "$dir/web/two-a.txt"), $(p99 < "$dir/web/two-b.txt") |"
for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
servers=()

# 4. Issuing October for issue_persons assurés: one worker process, then two on a fresh copy.
"$bin" echantillon --assures "$issue_persons" --mois 1 --fin 2026-10 --graine 3 --sortie "$dir/octobre.jsonl" >/dev/null 2>&1
chmod 644 "$dir/octobre.jsonl"
issue() { # database, worker count → seconds
    local url; url=$(database "$1")
    rm -rf "$dir/issue-$1"; mkdir -p "$dir/issue-$1"
    RELEVE_DOSSIER=$dir/issue-$1 "$bin" importer --base "$url" "$dir/octobre.jsonl" >/dev/null 2>&1
    local start end workers=()
    start=$(date +%s.%N)
    for _ in $(seq 1 "$2"); do
        RELEVE_DOSSIER=$dir/issue-$1 "$bin" admin releves emettre --base "$url" --mois 2026-10 --travailleurs 1 >/dev/null 2>&1 &
        workers+=($!)
    done
    wait "${workers[@]}"
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
one=$(issue bench_issue_one 1)
two=$(issue bench_issue_two 2)
stated=$(psql "$(echo "${pg%/postgres}/bench_issue_two")" -Atc "SELECT count(*) FROM statement")
echo
echo "== 4. Issuing October 2026: $stated statements, worker processes of one rendering thread each"
echo "| workers | seconds | statements/s |"
echo "|---|---|---|"
awk -v s="$one" -v n="$stated" 'BEGIN { printf "| 1 | %.2f | %.0f |\n", s, n / s }'
awk -v s="$two" -v n="$stated" -v o="$one" 'BEGIN { printf "| 2 (same month, leases) | %.2f | %.0f (%.2f×) |\n", s, n / s, o / s }'
rm -f "$dir/paiements.csv" "$dir/paiements.assures.jsonl"
