#!/usr/bin/env bash
# libFuzzer on the parsers that take outside bytes (SECURITY.md goal 16): NIR, personal and
# provisional codes, a CSV feed row, a JSON Lines record, the download-name builder.
#
#   Tests/Fuzz/fuzz.sh [SECONDS_PER_TARGET]   (default 60; `make fuzz` uses 600)
#
# One binary built with -sanitize=fuzzer,address from the domain and the feed parsers
# (Sources/ReleveService/FuzzEntries.swift), the target chosen by RELEVE_FUZZ_CIBLE. Each
# target starts from Tests/Fuzz/Corpus/<target> (seeds, committed) and .build/fuzz/corpus
# (what earlier runs found, kept on this machine). A crash, leak or timeout is copied to
# Tests/Fuzz/FailCases/<target>/ (commit it: `swift test` replays those files) and fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
# A fixed seed in CI (the same run on every machine: a finding there is reproducible with the
# same command); a random one otherwise, to explore more. FUZZ_SEED overrides both.
if [ -n "${FUZZ_SEED:-}" ]; then seed=$FUZZ_SEED; elif [ "${CI:-}" = "true" ]; then seed=1; else seed=0; fi
out=.build/fuzz
mkdir -p "$out/src"
# The feed parsers import ReleveDomain; compiled here into one module with it.
for file in FeedCSV FeedJSON FuzzEntries; do
    grep -v '^import ReleveDomain$' "Sources/ReleveService/$file.swift" > "$out/src/$file.swift"
done
echo "fuzz : compilation (-sanitize=fuzzer,address, -O)…" >&2
swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -module-name ReleveDomain \
    Sources/ReleveDomain/*.swift "$out"/src/*.swift Tests/Fuzz/Targets/main.swift -o "$out/releve-fuzz" \
    2> >(grep -v 'ld.gold: warning: Cannot export local symbol' >&2)
failed=0
summary=""
for target in nir code csv json nom-telechargement; do
    mkdir -p "$out/corpus/$target" "$out/crashes/$target"
    log="$out/$target.log"
    echo "fuzz : $target pendant $seconds s…" >&2
    set +e
    RELEVE_FUZZ_CIBLE="$target" "$out/releve-fuzz" -seed="$seed" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=4096 -print_final_stats=1 -artifact_prefix="$out/crashes/$target/" \
        "$out/corpus/$target" "Tests/Fuzz/Corpus/$target" > "$log" 2>&1
    status=$?
    set -e
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
    features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
    per_second=$(( runs / (seconds > 0 ? seconds : 1) ))
    line="$target : $runs exécutions ($per_second/s), couverture $cov arêtes, $features traits"
    summary="$summary$line"$'\n'
    if [ "$status" -ne 0 ] || [ -n "$(ls -A "$out/crashes/$target")" ]; then
        failed=$((failed + 1))
        mkdir -p "Tests/Fuzz/FailCases/$target"
        cp "$out/crashes/$target/"* "Tests/Fuzz/FailCases/$target/" 2>/dev/null || true
        echo "fuzz : ÉCHEC sur $target (code $status) ; entrées copiées dans Tests/Fuzz/FailCases/$target :" >&2
        grep -E 'ERROR|SUMMARY|Fatal error|precondition' "$log" | head -10 >&2 || true
    fi
done
printf '%s' "$summary"
total=5
echo "$((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
