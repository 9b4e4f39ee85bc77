#!/usr/bin/env bash
# Web checks with the real binary (part of `make test`):
#  1. schemathesis, all checks, against docs/openapi.yaml and `releve demo` on 127.0.0.1,
#     authenticated with a demo account's bearer token (the operations that re-ask the code or
#     close the session run with a second token, since wrong codes end up locking it);
#  2. the browser journey with axe-core audits (Tests/web/parcours.py).
# Needs .ci/packages-test (chromium, chromium-driver) and the PyPI tools of .ci/requirements.txt
# in .build/venv (`make deps-test`; `make test` and `make test-web` put it first on the PATH).
set -euo pipefail
cd "$(dirname "$0")/../.."
releve=.build/debug/releve
[ -x "$releve" ] || swift build --product releve
python3 -c "import selenium, selenium_axe_python, schemathesis" 2>/dev/null || {
    echo "Outils Python absents : lancez « make deps-test » (environnement virtuel .build/venv)" >&2
    exit 1
}
# shellcheck source=Tests/web/serveur-demo.sh
source Tests/web/serveur-demo.sh
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
# The same journey on PostgreSQL (issue 13), on this checkout's throwaway cluster (started here,
# and stopped at the end, unless it was already running).
if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    Tests/postgres/grappe.sh actif || trap 'Tests/postgres/grappe.sh arreter; cleanup' EXIT
    eval "$(Tests/postgres/grappe.sh demarrer)"
    name="releve_web_$$"
    psql "$RELEVE_TEST_POSTGRES" -qc "CREATE DATABASE $name"
    echo "== parcours dans Chromium sur PostgreSQL"
    python3 Tests/web/parcours.py --releve "$releve" --donnees SampleData --base "${RELEVE_TEST_POSTGRES%/postgres}/$name"
fi
