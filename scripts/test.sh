#!/usr/bin/env bash
# Runs Gevinst's whole test suite against both storage backends.
#
# SQLite needs nothing. For PostgreSQL this script uses GEVINST_TEST_POSTGRES_URL if you set it
# (an admin URL; each test creates its own database), and otherwise installs PostgreSQL from
# Debian's packages when it is missing, starts a throwaway cluster on 127.0.0.1 on a free port,
# and removes it again when the tests end.
#
# The dashboard's browser test runs headless Chromium from GEVINST_TEST_CHROMIUM if you set it,
# and otherwise from /usr/bin/chromium, installing Debian's chromium package when it is missing.
# The committee status's print test reads Chromium's PDF with pdfinfo and pdftotext, installing
# Debian's poppler-utils package when they are missing.
#
# The sign-in test drives Chromium with chromedriver (GEVINST_TEST_CHROMEDRIVER, default
# /usr/bin/chromedriver), installing Debian's chromium-driver package when it is missing, and
# signs in through a real OpenID provider: the npm package oidc-provider, pinned in
# scripts/oidc-provider (installed with `npm ci`; Node.js 20 or later from Debian's nodejs
# package when node is missing), started on a free port for the run and stopped at the end,
# unless GEVINST_TEST_OIDC_ISSUER names one already running.
#
# The exports' test opens the XLSX files with Python's openpyxl, installing it with
# `pip install --user openpyxl` when python3 cannot import it.
#
# When the tests pass, schemathesis (4.x, `pip install --user` when missing) fuzzes the JSON API
# from its own description, /api/openapi.json: a `gevinst serve` on a fresh SQLite store in a
# temporary directory with the Budget 2025 baseline, an administrator and controller with a
# token, every operation with generated parameters and bodies (ids mostly from
# scripts/schemathesis.toml), failing on any 5xx and any response its description does not
# allow (body, content type, headers). GEVINST_SCHEMATHESIS_SEED picks the seed (printed;
# default 1), GEVINST_SCHEMATHESIS_EXAMPLES the examples per operation (default 100).
#
# Extra arguments go to `cargo test` (and skip the fuzzing), e.g. `scripts/test.sh -p gevinst-tests store`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# What to stop and remove when the script ends, however it ends (last started, first stopped).
CLEANUP=()
cleanup() {
  local i
  for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do eval "${CLEANUP[$i]}" || true; done
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to install $AS_ROOT_FOR: run as root, or install the '$AS_ROOT_PACKAGE' package yourself"
    exit 1
  fi
}

find_pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

start_postgres() {
  local bin
  bin=$(find_pg_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    log "PostgreSQL is not installed: installing Debian's postgresql package"
    AS_ROOT_FOR=PostgreSQL AS_ROOT_PACKAGE=postgresql
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
    bin=$(find_pg_bin)
  fi
  PGDATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gevinst-pg.XXXXXX")
  local run=()
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: the cluster belongs to the postgres user.
    chown postgres: "$PGDATA_DIR"
    run=(runuser -u postgres --)
  fi
  local port
  port=$(free_port 2>/dev/null || echo 54329)
  log "starting a throwaway PostgreSQL ($("$bin/postgres" --version)) on 127.0.0.1:$port"
  "${run[@]}" "$bin/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PGDATA_DIR -c max_connections=400 -c synchronous_commit=on" start >/dev/null
  STOP_PG=("${run[@]}" "$bin/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop)
  CLEANUP+=('log "stopping PostgreSQL"; "${STOP_PG[@]}" >/dev/null 2>&1; rm -rf "$PGDATA_DIR"')
  export GEVINST_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "Chromium is not installed: installing Debian's chromium package (for the dashboard's browser test)"
    AS_ROOT_FOR=Chromium AS_ROOT_PACKAGE=chromium
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
  fi
  export GEVINST_TEST_CHROMIUM=/usr/bin/chromium
}

ensure_chromedriver() {
  if [ -z "${GEVINST_TEST_CHROMEDRIVER:-}" ] && [ ! -x /usr/bin/chromedriver ]; then
    log "chromedriver is not installed: installing Debian's chromium-driver package (the sign-in test drives Chromium with it)"
    AS_ROOT_FOR=chromedriver AS_ROOT_PACKAGE=chromium-driver
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium-driver
  fi
}

start_oidc_provider() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "Node.js is not installed: installing Debian's nodejs and npm packages (for the OpenID provider)"
    AS_ROOT_FOR=Node.js AS_ROOT_PACKAGE="nodejs npm"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
  fi
  local dir=scripts/oidc-provider
  if [ ! -d "$dir/node_modules/oidc-provider" ]; then
    log "installing the OpenID provider (npm package oidc-provider, as pinned in $dir/package-lock.json)"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
  local port
  port=$(free_port)
  OIDC_LOG=$(mktemp "${TMPDIR:-/tmp}/gevinst-oidc.XXXXXX")
  log "starting the OpenID provider (oidc-provider $(node -p "require('./$dir/node_modules/oidc-provider/package.json').version")) on 127.0.0.1:$port"
  PORT=$port node "$dir/server.js" >"$OIDC_LOG" 2>&1 &
  OIDC_PID=$!
  CLEANUP+=('log "stopping the OpenID provider"; kill "$OIDC_PID" 2>/dev/null; rm -f "$OIDC_LOG"')
  export GEVINST_TEST_OIDC_ISSUER="http://127.0.0.1:$port"
  local i
  for i in $(seq 1 100); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
      "$GEVINST_TEST_OIDC_ISSUER/.well-known/openid-configuration" 2>/dev/null; then
      return
    fi
    if ! kill -0 "$OIDC_PID" 2>/dev/null; then break; fi
    sleep 0.2
  done
  log "the OpenID provider did not start:"; cat "$OIDC_LOG" >&2
  exit 1
}

ensure_poppler() {
  if ! command -v pdftotext >/dev/null || ! command -v pdfinfo >/dev/null; then
    log "poppler-utils is not installed: installing Debian's package (the print test reads its PDF)"
    AS_ROOT_FOR=poppler-utils AS_ROOT_PACKAGE=poppler-utils
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q poppler-utils
  fi
}

ensure_openpyxl() {
  if ! python3 -c 'import openpyxl' 2>/dev/null; then
    log "openpyxl is not installed: pip install --user openpyxl (for the exports' XLSX check)"
    python3 -m pip install --user -q openpyxl \
      || python3 -m pip install --user -q --break-system-packages openpyxl
  fi
  export GEVINST_TEST_OPENPYXL=1
}

ensure_schemathesis() {
  export PATH="$HOME/.local/bin:$PATH"
  if ! schemathesis --version 2>/dev/null | grep -q 'version 4\.'; then
    log "schemathesis 4 is not installed: pip install --user 'schemathesis>=4,<5' (for the API fuzz test)"
    python3 -m pip install --user -q 'schemathesis>=4,<5' \
      || python3 -m pip install --user -q --break-system-packages 'schemathesis>=4,<5'
  fi
}

# Runs in a subshell, so its EXIT trap stops the server and removes the store whatever happens.
fuzz_api() (
  ensure_schemathesis
  log "building the gevinst binary for the API fuzz test"
  cargo build --locked -q -p gevinst-api --bin gevinst
  local gevinst=$PWD/target/debug/gevinst dir port token seed
  dir=$(mktemp -d "${TMPDIR:-/tmp}/gevinst-fuzz.XXXXXX")
  trap 'status=$?; [ "$status" = 0 ] || log "the API fuzz test failed (exit $status)"
    if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
    rm -rf "$dir"' EXIT
  export DATABASE_URL="sqlite:$dir/gevinst.sqlite" GEVINST_SIGNING_KEY="$dir/gevinst-log.key"
  "$gevinst" baseline import baselines/budget-2025-bilag-7.toml >/dev/null
  printf 'fuzz-test-password-%s\n' "$RANDOM$RANDOM" \
    | "$gevinst" user add ada@kk.dk --name Ada --password-stdin >/dev/null
  "$gevinst" grant ada@kk.dk administrator --reason fuzz >/dev/null
  "$gevinst" grant ada@kk.dk controller --reason fuzz --as ada@kk.dk >/dev/null
  # The token is the first line printed (not `| head -n 1`: under pipefail, gevinst's SIGPIPE on
  # the second line would fail the script now and then).
  token=$("$gevinst" token create ada@kk.dk --expires 1d)
  token=${token%%$'\n'*}
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$gevinst" serve --bind "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 120); do
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
      "http://127.0.0.1:$port/readyz" 2>/dev/null; then break; fi
    kill -0 "$SERVER" 2>/dev/null || { cat "$dir/serve.log" >&2; exit 1; }
    sleep 0.5
  done
  seed=${GEVINST_SCHEMATHESIS_SEED:-1}
  log "schemathesis against 127.0.0.1:$port (seed $seed): no 5xx, every response as described"
  # From the temporary directory, where schemathesis and hypothesis leave their caches.
  local config=$PWD/scripts/schemathesis.toml
  cd "$dir"
  schemathesis --config-file "$config" run "http://127.0.0.1:$port/api/openapi.json" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance,response_headers_conformance \
    --max-examples "${GEVINST_SCHEMATHESIS_EXAMPLES:-100}" --seed "$seed" \
    --generation-database none --no-color \
    || { log "schemathesis failed; the server's log:"; tail -n 50 "$dir/serve.log" >&2; exit 1; }
)

if [ -z "${GEVINST_TEST_POSTGRES_URL:-}" ]; then
  start_postgres
else
  log "using PostgreSQL at GEVINST_TEST_POSTGRES_URL"
fi

if [ -z "${GEVINST_TEST_CHROMIUM:-}" ]; then
  ensure_chromium
else
  log "using Chromium at GEVINST_TEST_CHROMIUM"
fi

ensure_chromedriver
if [ -z "${GEVINST_TEST_OIDC_ISSUER:-}" ]; then
  start_oidc_provider
else
  log "using the OpenID provider at GEVINST_TEST_OIDC_ISSUER"
fi
ensure_poppler
ensure_openpyxl

log "running the test suite (every integration test on SQLite and on PostgreSQL)"
cargo test --workspace --locked "$@"

# The whole suite fuzzes the API too; a run narrowed to some tests does not.
if [ "$#" -eq 0 ]; then
  fuzz_api
else
  log "arguments given: the API fuzz test (schemathesis) is skipped"
fi
