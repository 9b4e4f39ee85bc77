#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the tests (issue 13), run as the `postgres`
# user (the server refuses root), in a temporary folder, on a free port.
#
#   eval "$(Tests/postgres/grappe.sh demarrer)"   # exports RELEVE_TEST_POSTGRES=postgres://…
#                                                 # and RELEVE_TEST_POSTGRES_REPLIQUE (a streaming
#                                                 # replica of it, pg_basebackup, second port)
#   Tests/postgres/grappe.sh arreter              # stops it and removes the folder
#   Tests/postgres/grappe.sh actif                # exit 0 if this checkout's cluster runs
#   Tests/postgres/grappe.sh tuer | relancer      # crash the server (immediate stop), start it again
#
# RELEVE_GRAPPE_ETAT picks another state folder (a second cluster); RELEVE_GRAPPE_SANS_REPLIQUE=1
# starts no replica.
#
# Needs Debian's `postgresql` package (.ci/packages-test).
set -euo pipefail
# The server must not inherit the caller's other descriptors: Foundation's Process watches its
# child's exit through one, and a server holding it would keep the caller waiting for ever.
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null || true
done
# One cluster per checkout (two clones on one machine do not share it).
state=${RELEVE_GRAPPE_ETAT:-/tmp/releve-grappe-postgres-$(pwd | md5sum | cut -c1-8)}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
case "${1:-}" in
demarrer)
    [ -n "$bin" ] || { echo "PostgreSQL absent : installez le paquet postgresql" >&2; exit 69; }
    if [ -f "$state/url" ] && su postgres -s /bin/sh -c "$bin/pg_ctl -D $state/data status" >/dev/null 2>&1 \
        && { [ ! -f "$state/url-replique" ] || su postgres -s /bin/sh -c "$bin/pg_ctl -D $state/replique status" >/dev/null 2>&1; }; then
        echo "export RELEVE_TEST_POSTGRES=$(cat "$state/url")"
        [ ! -f "$state/url-replique" ] || echo "export RELEVE_TEST_POSTGRES_REPLIQUE=$(cat "$state/url-replique")"
        exit 0
    fi
    if [ -d "$state/data" ]; then
        su postgres -s /bin/sh -c "$bin/pg_ctl -D $state/replique -m immediate stop" >/dev/null 2>&1 || true
        su postgres -s /bin/sh -c "$bin/pg_ctl -D $state/data -m immediate stop" >/dev/null 2>&1 || true
    fi
    rm -rf "$state"
    mkdir -p "$state"
    chown postgres "$state"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # Password authentication over TCP (a wrong password is a test), trust on the local socket.
    echo "releve-test" > "$state/mdp"
    chown postgres "$state/mdp"
    su postgres -s /bin/sh -c "$bin/initdb -D $state/data --auth-local=trust --auth-host=scram-sha-256 --pwfile=$state/mdp -U postgres --encoding UTF8 --locale C.UTF-8" >/dev/null
    su postgres -s /bin/sh -c "$bin/pg_ctl -D $state/data -o '-p $port -k $state -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=400' -l $state/journal -w start" >/dev/null
    echo "postgres://postgres:releve-test@127.0.0.1:$port/postgres" > "$state/url"
    echo "$port" > "$state/port"
    if [ -n "${RELEVE_GRAPPE_SANS_REPLIQUE:-}" ]; then
        echo "export RELEVE_TEST_POSTGRES=$(cat "$state/url")"
        exit 0
    fi
    # The replica: a base backup streamed from the primary (-R writes standby.signal and the
    # connection to follow), started on a second port as a hot standby.
    replica_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    su postgres -s /bin/sh -c "PGPASSWORD=releve-test $bin/pg_basebackup -h 127.0.0.1 -p $port -U postgres -D $state/replique -R -X stream" >/dev/null
    su postgres -s /bin/sh -c "$bin/pg_ctl -D $state/replique -o '-p $replica_port -k $state -c listen_addresses=127.0.0.1 -c max_connections=400 -c hot_standby=on' -l $state/journal-replique -w start" >/dev/null
    echo "postgres://postgres:releve-test@127.0.0.1:$replica_port/postgres" > "$state/url-replique"
    echo "export RELEVE_TEST_POSTGRES=$(cat "$state/url")"
    echo "export RELEVE_TEST_POSTGRES_REPLIQUE=$(cat "$state/url-replique")"
    ;;
tuer)
    # Immediate shutdown: every backend quits at once, no checkpoint; the next start runs crash
    # recovery, as after a crash.
    su postgres -s /bin/sh -c "$bin/pg_ctl -D $state/data -m immediate stop" >/dev/null
    ;;
relancer)
    port=$(cat "$state/port")
    su postgres -s /bin/sh -c "$bin/pg_ctl -D $state/data -o '-p $port -k $state -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=400' -l $state/journal -w start" >/dev/null
    ;;
actif)
    [ -n "$bin" ] && [ -f "$state/url" ] && su postgres -s /bin/sh -c "$bin/pg_ctl -D $state/data status" >/dev/null 2>&1
    ;;
arreter)
    if [ -d "$state/replique" ]; then
        su postgres -s /bin/sh -c "$bin/pg_ctl -D $state/replique -m immediate stop" >/dev/null 2>&1 || true
    fi
    if [ -d "$state/data" ]; then
        su postgres -s /bin/sh -c "$bin/pg_ctl -D $state/data -m immediate stop" >/dev/null 2>&1 || true
    fi
    rm -rf "$state"
    ;;
*)
    echo "usage : $0 demarrer|arreter|actif|tuer|relancer" >&2
    exit 64
    ;;
esac
