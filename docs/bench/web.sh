#!/usr/bin/env bash
# wrk on loopback against `releve demo` (release build): the server's trivial health route, the
# logged-in "Mes paiements" page and the API payments call, each 64 connections for DURATION;
# then a flood of bad logins on the API with the health route's latency measured meanwhile.
# Prints wrk's figures (requests/s, latency distribution). Needs wrk (Debian package).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-15s}
swift build -c release --product releve >/dev/null
releve=.build/release/releve
# shellcheck source=Tests/web/serveur-demo.sh
source Tests/web/serveur-demo.sh
url="http://127.0.0.1:$port"
token=$(token 2880999109042 71946258)
echo "machine: $(nproc) cores, $(uname -r); wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2); $DURATION per run"
for target in "/sante|" "/paiements|Cookie: __Host-releve=$token" "/api/v1/paiements|Authorization: Bearer $token"; do
    path=${target%%|*}
    header=${target#*|}
    echo "== GET $path"
    if [ -n "$header" ]; then
        wrk -t2 -c64 -d"$DURATION" --latency -H "$header" "$url$path" | grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket"
    else
        wrk -t2 -c64 -d"$DURATION" --latency "$url$path" | grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket"
    fi
done
cat > "$work/flood.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format('{"nir":"1701275112034","code":"%08d"}', 10000000 + n))
end
LUA
echo "== flood: POST /api/v1/sessions with wrong codes (64 connections), and GET /sante meanwhile (4 connections)"
wrk -t1 -c64 -d"$DURATION" -s "$work/flood.lua" "$url/api/v1/sessions" > "$work/flood.txt" &
flood=$!
sleep 1
wrk -t1 -c4 -d10s --latency "$url/sante" | grep -E "Requests/sec|50%|99%"
wait "$flood"
grep -E "Requests/sec|Non-2xx|Latency" "$work/flood.txt"
echo "after the flood: $(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"nir":"1701275112034","code":"12345678"}' "$url/api/v1/sessions") for one more bad login (429 = throttled before any code check)"
