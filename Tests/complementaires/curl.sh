#!/usr/bin/env bash
# What the README promises an insurer: with only a client id, a secret and docs/openapi.yaml,
# pull and acknowledge its lines with curl. The demo serves on loopback; the operator creates
# the client with the CLI; then curl alone: a token (HTTP Basic), two pages, an
# acknowledgement, nothing left after it, a replay that changes nothing, a wrong secret 401.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product releve >/dev/null 2>&1
releve=$(pwd)/.build/debug/releve
. Tests/web/serveur-demo.sh
base="$work/demo.sqlite"
fail() { echo "curl.sh (complémentaires) : $*" >&2; exit 1; }
created=$("$releve" admin complementaires client creer MUT0751 --nom "Mutuelle des Services Publics" --base "$base")
client_id=$(sed -n 's/^Identifiant client : //p' <<<"$created")
secret=$(sed -n 's/^Secret (affiché une seule fois, à transmettre par un canal sûr) : //p' <<<"$created")
[ -n "$client_id" ] && [ -n "$secret" ] || fail "création du client : $created"
api="http://127.0.0.1:$port/api/v1"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

token=$(curl -sf -u "$client_id:$secret" -d grant_type=client_credentials "$api/oauth/token" | json '["access_token"]')
first=$(curl -sf -H "Authorization: Bearer $token" "$api/complementaires/lignes?limite=5")
count1=$(json '["lignes"].__len__()' <<<"$first")
cursor1=$(json '["curseur"]' <<<"$first")
second=$(curl -sf -H "Authorization: Bearer $token" "$api/complementaires/lignes?limite=1000&depuis=$cursor1")
count2=$(json '["lignes"].__len__()' <<<"$second")
cursor2=$(json '["curseur"]' <<<"$second")
[ "$(json '["suite"]' <<<"$second")" = "False" ] || fail "la deuxième page devrait être la dernière"
total=$((count1 + count2))
[ "$total" -gt 0 ] || fail "aucune ligne pour MUT0751"
ack=$(curl -sf -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    -d "{\"curseur\":\"$cursor2\"}" "$api/complementaires/acquittements")
[ "$(json '["nouveau"]' <<<"$ack")" = "True" ] || fail "acquittement : $ack"
replay=$(curl -sf -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    -d "{\"curseur\":\"$cursor2\"}" "$api/complementaires/acquittements")
[ "$(json '["nouveau"]' <<<"$replay")" = "False" ] || fail "rejeu : $replay"
after=$(curl -sf -H "Authorization: Bearer $token" "$api/complementaires/lignes" | json '["lignes"].__len__()')
[ "$after" = "0" ] || fail "$after lignes servies après l'acquittement"
status=$(curl -s -o /dev/null -w '%{http_code}' -u "$client_id:faux" -d grant_type=client_credentials "$api/oauth/token")
[ "$status" = "401" ] || fail "mauvais secret : $status"
echo "Complémentaires avec curl : $total lignes servies en 2 pages, acquittées une fois, plus rien ensuite ; mauvais secret 401."
