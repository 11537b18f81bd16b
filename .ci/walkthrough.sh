#!/usr/bin/env bash
# Runs the README's walk-through as a partner would: builds the binary,
# starts `julo serve` on its embedded defaults (SQLite and files in a temp
# data dir, sandbox) on 127.0.0.1 and a free port, creates a partner with
# `julo partner create`, runs examples/walkthrough.sh twice against the same
# database (each run registers a fresh NIK, email and phone, so the second
# proves that), and stops the server. .ci/run calls it after the tests; it
# runs alone too: .ci/walkthrough.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
for c in go curl jq; do
  command -v "$c" >/dev/null || { echo "walkthrough: $c is needed" >&2; exit 1; }
done

dir="$(mktemp -d /tmp/julo-ci-walkthrough.XXXXXX)"
pid=""
stop() {
  status=$?
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ "$status" != 0 ] && [ -s "$dir/serve.log" ]; then
    echo "--- the server's log (last 40 lines):" >&2
    tail -n 40 "$dir/serve.log" >&2
  fi
  rm -rf "$dir"
}
trap stop EXIT

echo "+ go build -o $dir/julo ./cmd/julo"
go build -o "$dir/julo" ./cmd/julo

# Port 0: the kernel picks a free port, which the server logs as it binds.
"$dir/julo" serve --addr 127.0.0.1:0 --data "$dir/data" 2>"$dir/serve.log" &
pid=$!
addr=""
for _ in $(seq 150); do
  addr="$(grep -m 1 '"msg":"listening"' "$dir/serve.log" 2>/dev/null | sed -E 's/.*"addr":"([^"]+)".*/\1/')" || true
  [ -n "$addr" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "walkthrough: julo serve exited" >&2; exit 1; }
  sleep 0.2
done
[ -n "$addr" ] || { echo "walkthrough: julo serve did not start listening in 30 s" >&2; exit 1; }
curl -fsS --max-time 10 "http://$addr/readyz" >/dev/null || { echo "walkthrough: /readyz did not answer" >&2; exit 1; }
echo "julo serve on $addr, data in $dir/data"

partner="$("$dir/julo" partner create ci-walkthrough --data "$dir/data")"
export JULO_API="http://$addr/api/partnership/v1"
export JULO_USERNAME="ci-walkthrough"
JULO_SECRET="$(jq -r .secret_key <<<"$partner")"
export JULO_SECRET

for run in 1 2; do
  echo "+ examples/walkthrough.sh   # run $run"
  examples/walkthrough.sh
done
