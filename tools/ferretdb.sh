#!/usr/bin/env bash
# Builds (once, cached) and runs the FerretDB test server: a MongoDB wire-protocol server on loopback
# with a SQLite backend in a temporary directory.
#   tools/ferretdb.sh build
#   tools/ferretdb.sh start [port]   -> prints MONGODB_URL=mongodb://127.0.0.1:<port>/ on stdout
#   tools/ferretdb.sh stop
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/bin/ferretdb"
# One state folder per checkout, so two clones (a developer's and CI's) never stop each other's server.
state="${TMPDIR:-/tmp}/property-services-ferretdb-$(printf '%s' "$here" | cksum | cut -d' ' -f1)"

build() {
  if [ -x "$bin" ] && [ "$bin" -nt "$here/ferretdb/main.go" ] && [ "$bin" -nt "$here/ferretdb/go.sum" ]; then
    return
  fi
  echo "building FerretDB test server (first time only)..." >&2
  (cd "$here/ferretdb" && go build -o "$bin" .)
}

start() {
  build
  local port="${1:-27018}"
  stop
  mkdir -p "$state"
  local data
  data="$(mktemp -d "$state/data.XXXXXX")"
  "$bin" -listen "127.0.0.1:$port" -dir "$data" >"$state/server.log" 2>&1 &
  echo $! >"$state/pid"
  echo "$data" >"$state/data"
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "MONGODB_URL=mongodb://127.0.0.1:$port/"
      return
    fi
    if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
      cat "$state/server.log" >&2
      echo "FerretDB exited before listening" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "FerretDB did not listen on 127.0.0.1:$port within 10 s" >&2
  exit 1
}

stop() {
  if [ -f "$state/pid" ]; then
    kill "$(cat "$state/pid")" 2>/dev/null || true
    rm -f "$state/pid"
  fi
  if [ -f "$state/data" ]; then
    rm -rf "$(cat "$state/data")"
    rm -f "$state/data"
  fi
}

case "${1:-}" in
  build) build ;;
  start) start "${2:-}" ;;
  stop) stop ;;
  *) echo "usage: $0 build | start [port] | stop" >&2; exit 2 ;;
esac
