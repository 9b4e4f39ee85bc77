#!/usr/bin/env bash
# The FHIR R4 export checked by a real validator (fhir.resources, in .build/venv): a fresh demo
# base in a scratch folder, Mme Santoni's and Mme Müller's 27 months as `paiements --format
# fhir`, each validated against the JSON export of the same request (Tests/fhir/valider.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product releve >/dev/null 2>&1
binary=$(pwd)/.build/debug/releve
scratch=$(mktemp -d)
trap 'kill "$demo" 2>/dev/null || true; rm -rf "$scratch"' EXIT
export RELEVE_BASE="$scratch/demo.sqlite" XDG_CONFIG_HOME="$scratch/config"
"$binary" demo --base "$RELEVE_BASE" --port 0 --donnees SampleData >"$scratch/demo.log" 2>&1 &
demo=$!
for _ in $(seq 1 600); do
    grep -q "Comptes d'essai" "$scratch/demo.log" && break
    kill -0 "$demo" 2>/dev/null || { cat "$scratch/demo.log"; exit 1; }
    sleep 0.1
done
kill "$demo"; wait "$demo" 2>/dev/null || true
for account in "285032A004117 48213957" "2880999109042 71946258"; do
    set -- $account
    echo "$2" | "$binary" connexion --nir "$1" >/dev/null
    "$binary" paiements --mois 27 --format fhir >"$scratch/bundle.json"
    "$binary" paiements --mois 27 --format json >"$scratch/export.json"
    python3 Tests/fhir/valider.py "$scratch/bundle.json" "$scratch/export.json"
    "$binary" deconnexion >/dev/null
done
