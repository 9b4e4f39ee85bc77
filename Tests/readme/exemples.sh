#!/usr/bin/env bash
# Runs every command of the README's example blocks exactly as written (README.md, the indented
# blocks that start with a `swift run releve` or `export RELEVE_BASE` line), from the package
# folder, after a fresh `releve demo` (stopped once its accounts are open), as the Quick start
# leaves a new user. Each block runs in one shell (an `export` holds for the lines after it);
# any exit other than 0 fails, with README.md:LINE.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product releve >/dev/null
binary=.build/debug/releve

# The demo, as `make demo` starts it, on a free port; stopped once it serves.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$binary" demo --port 0 >"$log" 2>&1 &
demo=$!
for _ in $(seq 1 600); do
    grep -q "Comptes d'essai" "$log" && grep -q "http://" "$log" && break
    kill -0 "$demo" 2>/dev/null || { cat "$log"; echo "exemples.sh: la démo s'est arrêtée" >&2; exit 1; }
    sleep 0.1
done
kill "$demo"; wait "$demo" 2>/dev/null || true
rm -f /tmp/flux.jsonl /tmp/essai.sqlite* /tmp/releve-2026-10.pdf

python3 - <<'PY'
import re
import shlex
import subprocess
import sys

# Markdown's indented code blocks: runs of lines indented by 4 spaces after a blank line.
blocks, current, blank = [], None, True
for number, line in enumerate(open("README.md", encoding="utf-8").read().split("\n"), 1):
    if line.startswith("    ") and (current is not None or blank):
        current = current or []
        current.append((number, line[4:]))
    elif current is not None and line.strip() == "":
        blocks.append(current)
        current = None
    elif current is not None:
        current = None
    blank = line.strip() == ""
command = re.compile(r"^(export RELEVE_BASE=|([A-Z_]+=\S+ )*swift run releve |echo \S+ \| swift run releve )")
examples = [b for b in blocks if command.match(b[0][1])]
count = sum(len(b) for b in examples)
if count < 12:
    sys.exit(f"exemples.sh : {count} commandes trouvées dans README.md, au moins 12 attendues")
for block in examples:
    script = []
    for number, text in block:
        script.append(f"echo {shlex.quote(f'+ README.md:{number}: {text}')} >&2")
        script.append(text)
        script.append(f'status=$?; [ $status -eq 0 ] || {{ echo "README.md:{number}: code de sortie $status" >&2; exit 1; }}')
    result = subprocess.run(["bash", "-c", "\n".join(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # swift run's lines about a dependency's CMakeLists are not the example's output.
    output = re.sub(r"warning: 'swift-distributed-tracing'.*\n.*CMakeLists.txt\n", "", result.stdout)
    print(output)
    if result.returncode != 0:
        sys.exit(1)
print(f"{count} commandes du README exécutées telles qu'écrites, toutes en succès.")
PY

# The README's sample releve.toml (the indented block under "The configuration file") is a file
# Releve accepts, and every key of the schema appears in it or in the sentence after it.
python3 - "$binary" <<'PY'
import os
import re
import subprocess
import sys
import tempfile

text = open("README.md", encoding="utf-8").read()
section = text.split("### The configuration file", 1)[1].split("The format is a strict subset", 1)[0]
sample = "\n".join(line[4:] for line in section.split("\n") if line.startswith("    "))
with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as handle:
    handle.write(sample + "\n")
try:
    result = subprocess.run(
        [sys.argv[1], "admin", "configuration", "--configuration", handle.name, "--format", "json"],
        capture_output=True, text=True)
finally:
    os.unlink(handle.name)
if result.returncode != 0:
    sys.exit(f"README.md : l'exemple de releve.toml est refusé : {result.stderr.strip()}")
keys = re.findall(r'"cle" : "([a-z_]+)\.([a-z_]+)"', result.stdout)
missing = [f"{s}.{k}" for s, k in keys if k != "secret" and not re.search(rf"^{k} = |\b{k}\b", section, re.M)]
if missing:
    sys.exit(f"README.md : clés du schéma absentes de l'exemple de releve.toml : {', '.join(missing)}")
print(f"exemple de releve.toml du README accepté ({len(keys)} clés au schéma, toutes documentées).")
PY
