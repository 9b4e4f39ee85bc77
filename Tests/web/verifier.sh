#!/usr/bin/env bash
# Web checks with the real binary (part of `make test`):
#  1. schemathesis, all checks, against docs/openapi.yaml and `releve demo` on 127.0.0.1,
#     authenticated with a demo account's bearer token (the operations that re-ask the code or
#     close the session run with a second token, since wrong codes end up locking it);
#  2. the browser journey with axe-core audits (Tests/web/parcours.py).
# Needs .ci/packages (chromium, chromium-driver) and .ci/requirements.txt (pip).
set -euo pipefail
cd "$(dirname "$0")/../.."
releve=.build/debug/releve
[ -x "$releve" ] || swift build --product releve
python3 -c "import selenium, selenium_axe_python, schemathesis" 2>/dev/null || {
    echo "Outils Python absents : python3 -m pip install -r .ci/requirements.txt" >&2
    exit 1
}
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$releve" demo --base "$work/demo.sqlite" --donnees SampleData --port "$port" > "$work/serveur.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do
    grep -q "sert la vue web" "$work/serveur.log" 2>/dev/null && break
    sleep 0.5
done
grep -q "sert la vue web" "$work/serveur.log" || { cat "$work/serveur.log"; exit 1; }
token() {
    curl -sf -X POST -H 'Content-Type: application/json' -d "{\"nir\":\"$1\",\"code\":\"$2\"}" \
        "http://127.0.0.1:$port/api/v1/sessions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["jeton"])'
}
st_run() {
    st --config-file .ci/schemathesis.toml run docs/openapi.yaml --url "http://127.0.0.1:$port/api/v1" --checks all \
        --max-examples 100 --seed 42 "$@"
}
echo "== schemathesis : opérations courantes (jeton de Mme Müller)"
st_run -H "Authorization: Bearer $(token 2880999109042 71946258)" --exclude-tag reauthentification
echo "== schemathesis : opérations qui redemandent le code ou ferment la session (jeton de Mme Santoni)"
st_run -H "Authorization: Bearer $(token 285032A004117 48213957)" --include-tag reauthentification
kill "$server"; wait "$server" 2>/dev/null || true; server=""
echo "== parcours dans Chromium, audit axe-core"
python3 Tests/web/parcours.py --releve "$releve" --donnees SampleData ${CAPTURES:+--captures "$CAPTURES"}
