#!/usr/bin/env bash
# SECURITY.md goal 6: a legitimate login's latency while 20 bad clients flood the login API,
# each from its own loopback address (127.0.0.11 … 127.0.0.30), against `releve demo`
# (release build, 2 cores, PBKDF2 at 600 000 rounds). Prints p50/p95/max of the legitimate
# logins without flood, then under flood, and what the flooders got (401/429/503).
#   DURATION=20 docs/bench/kdf-flood.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20}
swift build -c release --product releve >/dev/null
releve=.build/release/releve
# shellcheck source=Tests/web/serveur-demo.sh
source Tests/web/serveur-demo.sh
echo "machine: $(nproc) cores, $(uname -r); $DURATION s of flood"
python3 - "$port" "$DURATION" <<'PY'
import http.client, json, random, sys, threading, time
port, duration = int(sys.argv[1]), float(sys.argv[2])

def post(source, nir, code):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    started = time.monotonic()
    connection.request("POST", "/api/v1/sessions", json.dumps({"nir": nir, "code": code}),
                       {"Content-Type": "application/json"})
    status = connection.getresponse().status
    connection.close()
    return status, time.monotonic() - started

def legit(seconds, results):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status, elapsed = post("127.0.0.200", "285032A004117", "48213957")
        results.append((status, elapsed))
        time.sleep(0.5)

def nir(n):
    body = "1850575%06d" % (112000 + n % 800000)
    return body

def flooder(index, stop, counts):
    rng = random.Random(index)
    while not stop.is_set():
        try:
            status, _ = post("127.0.0.%d" % (11 + index), nir(rng.randrange(10**6)), "%08d" % rng.randrange(10**8))
        except OSError:
            status = "erreur"
        counts[status] = counts.get(status, 0) + 1

def summary(label, results):
    times = sorted(t for _, t in results)
    ok = sum(1 for s, _ in results if s == 201)
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
    print("%s : %d connexions légitimes (%d réussies), p50 %.0f ms, p95 %.0f ms, max %.0f ms"
          % (label, len(times), ok, p(0.5), p(0.95), times[-1] * 1000))

calm = []
legit(min(10, duration), calm)
summary("sans flot", calm)
stop, counts, threads = threading.Event(), [dict() for _ in range(20)], []
for i in range(20):
    thread = threading.Thread(target=flooder, args=(i, stop, counts[i]))
    thread.start()
    threads.append(thread)
time.sleep(1)
flooded = []
legit(duration, flooded)
stop.set()
for thread in threads:
    thread.join()
summary("sous le flot de 20 clients", flooded)
total = {}
for c in counts:
    for k, v in c.items():
        total[k] = total.get(k, 0) + v
print("réponses aux 20 clients malveillants : " + ", ".join("%s × %d" % (k, v) for k, v in sorted(total.items(), key=str)))
PY
