# Sourced by Tests/web/verifier.sh and docs/bench/web.sh: starts `$releve demo` on a free
# loopback port in a temporary directory, waits for it to serve, and stops it on exit.
# Sets: work, port, server; defines token NIR CODE (a bearer token from the API).
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$releve" demo --base "$work/demo.sqlite" --donnees SampleData --port "$port" > "$work/serveur.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
    grep -q "sert la vue web" "$work/serveur.log" 2>/dev/null && break
    sleep 0.5
done
grep -q "sert la vue web" "$work/serveur.log" || { cat "$work/serveur.log"; exit 1; }
token() {
    curl -sf -X POST -H 'Content-Type: application/json' -d "{\"nir\":\"$1\",\"code\":\"$2\"}" \
        "http://127.0.0.1:$port/api/v1/sessions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["jeton"])'
}
