#!/usr/bin/env bash
# What the request log and the metrics cost (issue 18): wrk on loopback against `releve demo`
# (release build), the trivial health route and the logged-in "Mes paiements" page, 64
# connections for DURATION each, with the log at `info` (one JSON line per request, written to
# a file) and at `avertissement` (no line per request). Metrics are recorded in both runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10s}
swift build -c release --product releve >/dev/null
releve=.build/release/releve
echo "machine: $(nproc) cores, $(uname -r); wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2); $DURATION per run"
for level in info avertissement; do
    (
        export RELEVE_JOURNAL_NIVEAU=$level RELEVE_JOURNAL_FORMAT=json
        # shellcheck source=Tests/web/serveur-demo.sh
        source Tests/web/serveur-demo.sh
        token=$(token 2880999109042 71946258)
        for target in "/sante|" "/paiements|Cookie: __Host-releve=$token"; do
            path=${target%%|*}
            header=${target#*|}
            echo "== log at $level: GET $path"
            wrk -t2 -c64 -d"$DURATION" --latency -H "${header:-X-Releve-Bench: 1}" "http://127.0.0.1:$port$path" \
                | grep -E "Requests/sec|99%|Non-2xx|Socket"
        done
        echo "log lines written: $(grep -c '"message":"requête"' "$work/serveur.log" || true)"
    )
done
