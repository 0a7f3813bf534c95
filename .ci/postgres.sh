#!/usr/bin/env bash
# Start a throw-away PostgreSQL on 127.0.0.1 for the records tests.
#
#   eval "$(bash .ci/postgres.sh)"         # start; exports NEUGUONG_TEST_PG_URL (+ _DIR)
#   bash .ci/postgres.sh stop              # stop the one in $NEUGUONG_TEST_PG_DIR
#
# Installs Debian's postgresql if no server binaries are found. The cluster lives in a
# temporary folder owned by the postgres user (initdb refuses to run as root), listens only
# on loopback at a free port, and has one database with a random password. Only the export
# lines go to stdout; progress and errors go to stderr.
set -euo pipefail

log() { printf 'postgres.sh: %s\n' "$*" >&2; }

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$PG_OWNER" -- "$@"
    else
        "$@"
    fi
}

find_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ "${1:-}" = stop ]; then
    dir=${NEUGUONG_TEST_PG_DIR:?NEUGUONG_TEST_PG_DIR is not set}
    PG_OWNER=$(stat -c %U "$dir")
    as_owner "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    rm -rf "$dir"
    exit 0
fi

bin=$(find_bin)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    log "installing postgresql (apt-get)"
    if [ "$(id -u)" != 0 ]; then
        log "not root: install the postgresql package first"
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
    bin=$(find_bin)
fi
[ -x "$bin/initdb" ] || { log "no initdb found under /usr/lib/postgresql"; exit 1; }

PG_OWNER=$(id -un)
if [ "$(id -u)" = 0 ]; then
    PG_OWNER=postgres
    if ! id "$PG_OWNER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OWNER"
    fi
fi

free_port() {
    local py
    for py in python3 "$PWD/.venv/bin/python"; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
            return
        fi
    done
    local p
    for _ in $(seq 50); do  # no Python: a random high port that nothing answers on
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    return 1
}
port=$(free_port)
dir=$(mktemp -d /tmp/neuguong-pg.XXXXXX)
chmod 700 "$dir"
password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
printf '%s\n' "$password" >"$dir/pwfile"
printf '%s\n' "$bin" >"$dir/bin"
chown -R "$PG_OWNER" "$dir"

log "initdb in $dir (PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), port $port)"
as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=200" \
    start >&2 || { cat "$dir/server.log" >&2; exit 1; }
as_owner "$bin/createdb" -h "$dir" -p "$port" -U postgres neuguong_test >&2

echo "export NEUGUONG_TEST_PG_URL='postgresql+psycopg://postgres:${password}@127.0.0.1:${port}/neuguong_test'"
echo "export NEUGUONG_TEST_PG_DIR='$dir'"
log "ready on 127.0.0.1:$port"
