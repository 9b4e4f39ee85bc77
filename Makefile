# The two commands of the README's Quick start are `make demo` and `make test`.
.PHONY: deps deps-test build demo test install man test-install test-readme test-fhir test-complementaires test-corpus test-web fuzz screenshots lint format bench-import bench-statements bench-query bench-web bench-kdf bench-import-login bench-postgres bench-journal bench-papier bench

# The PyPI tools of the web checks live in .build/venv (make deps-test), first on the PATH.
export PATH := $(CURDIR)/.build/venv/bin:$(PATH)

# What building and running needs (system libraries and fonts).
deps:
	bash .ci/install-deps

# What testing needs on top: Chromium and its driver, faketime, poppler's tools, the sqlite3
# shell, and the PyPI tools in a virtual environment (never the system's Python).
deps-test:
	bash .ci/install-test-deps

build:
	swift build

# Installs the system libraries, builds, and loads SampleData into a fresh demo database
# (the binary just built: nothing is compiled again).
demo: deps build
	.build/debug/releve demo

# Every target imports only what Package.swift declares (Tests/architecture/imports.py), the
# Swift Testing suites (with a throwaway PostgreSQL cluster for the PostgreSQL store's, started
# and stopped around them by Tests/postgres/grappe.sh), the bad-feed corpus, make install's
# page and completions, the README's examples as written, then the web checks with the real
# binary: schemathesis and the browser journey with axe-core (Tests/web/verifier.sh; tools from
# .ci/requirements.txt).
test: deps-test
	python3 Tests/architecture/imports.py
	eval "$$(Tests/postgres/grappe.sh demarrer)" && swift test; status=$$?; Tests/postgres/grappe.sh arreter; exit $$status
	$(MAKE) test-corpus
	$(MAKE) test-install
	$(MAKE) test-readme
	$(MAKE) test-fhir
	$(MAKE) test-complementaires
	$(MAKE) test-web

# 1 100 mutated feeds through the real importer: no signal, no exit other than 0 or 65, no
# refused feed that changed the base (Tests/corpus/mauvais_flux.py).
test-corpus:
	swift build --product releve
	python3 Tests/corpus/mauvais_flux.py --binaire .build/debug/releve --nombre 1100

# libFuzzer, 10 minutes per target (CI runs 60 s each); crashes land in Tests/Fuzz/FailCases.
fuzz:
	Tests/Fuzz/fuzz.sh 600

test-web: deps-test
	swift build --product releve
	Tests/web/verifier.sh

# Refreshes docs/screenshots from the browser journey.
screenshots:
	swift build --product releve
	CAPTURES=docs/screenshots Tests/web/verifier.sh

# Installs releve, its French manual page (releve.1, generated from the commands' own model by
# docs/man/generer.py) and its completion for bash, zsh and fish under PREFIX (/usr/local),
# DESTDIR first when packaging. CONFIG=debug installs the debug build (the tests do).
PREFIX ?= /usr/local
CONFIG ?= release
install:
	swift build -c $(CONFIG) --product releve
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 .build/$(CONFIG)/releve $(DESTDIR)$(PREFIX)/bin/releve
	python3 docs/man/generer.py .build/$(CONFIG)/releve > .build/releve.1
	install -m 644 .build/releve.1 $(DESTDIR)$(PREFIX)/share/man/man1/releve.1
	.build/$(CONFIG)/releve --generate-completion-script bash > .build/releve.bash
	.build/$(CONFIG)/releve --generate-completion-script zsh > .build/_releve
	.build/$(CONFIG)/releve --generate-completion-script fish > .build/releve.fish
	install -m 644 .build/releve.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/releve
	install -m 644 .build/_releve $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_releve
	install -m 644 .build/releve.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/releve.fish

# The manual page alone, to read with `man -l .build/releve.1`.
man:
	swift build --product releve
	python3 docs/man/generer.py .build/debug/releve > .build/releve.1

# make install into a scratch folder: the page renders without a warning and documents every
# command, bash completes from the installed script (Tests/install/verifier.sh).
test-install:
	Tests/install/verifier.sh

# The FHIR R4 export of the demo's assurées through fhir.resources (Tests/fhir/verifier.sh).
test-fhir: deps-test
	Tests/fhir/verifier.sh

# An insurer pulls and acknowledges its lines with curl alone (Tests/complementaires/curl.sh).
test-complementaires: deps-test
	Tests/complementaires/curl.sh

# Every command of the README's example blocks, run as written (Tests/readme/exemples.sh).
test-readme:
	Tests/readme/exemples.sh

lint:
	swift format lint --strict --recursive Sources Tests Package.swift

format:
	swift format format --in-place --recursive Sources Tests Package.swift

# Every speed aim of issue 14 in one run, each beside its anchor, then the ratio table.
bench:
	docs/bench/tout.sh

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

# Issue 13 on a throwaway PostgreSQL cluster: import against psql \copy, the 6-month query,
# one web node against two, one issuing worker against two (docs/BENCHMARKS.md).
bench-postgres:
	docs/bench/postgres.sh

# wrk on loopback: the logged-in payments page and API call against the health route (docs/BENCHMARKS.md).
bench-web:
	docs/bench/web.sh

# The request log's cost: the health route and a logged-in page with the log at info and at
# avertissement (issue 18, docs/BENCHMARKS.md).
bench-journal:
	docs/bench/journal.sh

# Print batches and insurer exports at 10 000, 30 000 and 100 000 assurés: cost per letter and
# per line as the caisse grows (issue 14, docs/BENCHMARKS.md).
bench-papier:
	docs/bench/papier.sh
