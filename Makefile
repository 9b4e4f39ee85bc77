# The two commands of the README's Quick start are `make demo` and `make test`.
.PHONY: deps build demo test test-corpus test-web fuzz screenshots lint format bench-import bench-statements bench-query bench-web bench-kdf bench-import-login

deps:
	bash .ci/install-deps

build:
	swift build

# Installs the system packages, builds, and loads SampleData into a fresh demo database.
demo: deps build
	swift run releve demo

# Every target imports only what Package.swift declares (Tests/architecture/imports.py), the
# Swift Testing suites, then the web checks with the real binary: schemathesis and the
# browser journey with axe-core (Tests/web/verifier.sh; tools from .ci/requirements.txt).
test:
	python3 Tests/architecture/imports.py
	swift test
	$(MAKE) test-corpus
	$(MAKE) test-web

# 1 100 mutated feeds through the real importer: no signal, no exit other than 0 or 65, no
# refused feed that changed the base (Tests/corpus/mauvais_flux.py).
test-corpus:
	swift build --product releve
	python3 Tests/corpus/mauvais_flux.py --binaire .build/debug/releve --nombre 1100

# libFuzzer, 10 minutes per target (CI runs 60 s each); crashes land in Tests/Fuzz/FailCases.
fuzz:
	Tests/Fuzz/fuzz.sh 600

test-web:
	swift build --product releve
	Tests/web/verifier.sh

# Refreshes docs/screenshots from the browser journey.
screenshots:
	swift build --product releve
	CAPTURES=docs/screenshots Tests/web/verifier.sh

lint:
	swift format lint --strict --recursive Sources Tests Package.swift

format:
	swift format format --in-place --recursive Sources Tests Package.swift

# Import throughput and peak memory against sqlite3 .import (docs/BENCHMARKS.md).
bench-import:
	docs/bench/import.sh

# Statement rendering against ReportLab, issuing a month, the payments query (docs/BENCHMARKS.md).
bench-statements:
	docs/bench/statements.sh

# The payments query at 100 000, 1 000 000 and 10 000 000 lines (docs/BENCHMARKS.md).
bench-query:
	docs/bench/query.sh

# A legitimate login's latency while 20 addresses flood the login API (SECURITY.md goal 6).
bench-kdf:
	docs/bench/kdf-flood.sh

# Logins while a large feed is imported, and the quick check's cost (issue 10).
bench-import-login:
	docs/bench/import-login.sh

# wrk on loopback: the logged-in payments page and API call against the health route (docs/BENCHMARKS.md).
bench-web:
	docs/bench/web.sh
