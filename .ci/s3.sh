# Sourced by .ci/run before the tests: a throwaway S3-compatible server on
# 127.0.0.1 (versitygw, an S3 gateway over a POSIX directory, in a temp dir)
# with a bucket and random credentials, so that the blob store suite and the
# black-box HTTP suite run on S3 as well. Exports JULO_TEST_S3_URL and
# AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; on exit the server is stopped and
# its dir removed, before whatever the EXIT trap already did.
# Needs: go, and port_taken from .ci/run.

s3_version=v1.8.0
s3_bucket=julo-test

# Installed with go install (about 2 minutes the first time) unless this
# version is already in $HOME/go/bin.
s3_gw="$HOME/go/bin/versitygw"
if [ "$(go version -m "$s3_gw" 2>/dev/null | awk '$1 == "mod" { print $3 }')" != "$s3_version" ]; then
  echo "+ go install github.com/versity/versitygw/cmd/versitygw@$s3_version"
  GOBIN="$HOME/go/bin" go install "github.com/versity/versitygw/cmd/versitygw@$s3_version"
fi

s3_dir="$(mktemp -d /tmp/julo-ci-s3.XXXXXX)"
s3_pid=""
s3_stop() {
  if [ -n "$s3_pid" ]; then
    kill "$s3_pid" 2>/dev/null || true
    wait "$s3_pid" 2>/dev/null || true
  fi
  rm -rf "$s3_dir"
}
eval "s3_prev_trap=($(trap -p EXIT))" # trap -- 'COMMAND' EXIT, or nothing
trap "s3_stop; ${s3_prev_trap[2]:-}" EXIT

# The posix backend serves each directory of its root as a bucket.
mkdir -p "$s3_dir/root/$s3_bucket"
export AWS_ACCESS_KEY_ID="julo-ci-$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')"
export AWS_SECRET_ACCESS_KEY="$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')"
s3_port=""
for _ in 1 2 3 4 5; do
  p=$((20000 + RANDOM % 30000))
  port_taken "$p" && continue
  # The root credentials go in the environment, not on the command line.
  ROOT_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" ROOT_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
    "$s3_gw" --port "127.0.0.1:$p" --quiet posix "$s3_dir/root" >"$s3_dir/server.log" 2>&1 &
  s3_pid=$!
  for _ in $(seq 50); do
    port_taken "$p" && break
    kill -0 "$s3_pid" 2>/dev/null || break
    sleep 0.1
  done
  if port_taken "$p" && kill -0 "$s3_pid" 2>/dev/null; then
    s3_port="$p"
    break
  fi
  kill "$s3_pid" 2>/dev/null || true
  wait "$s3_pid" 2>/dev/null || true
  s3_pid=""
done
[ -n "$s3_port" ] || { echo "versitygw did not start:" >&2; cat "$s3_dir/server.log" >&2; exit 1; }
echo "versitygw $s3_version on 127.0.0.1:$s3_port, bucket $s3_bucket in $s3_dir/root"
export JULO_TEST_S3_URL="s3://$s3_bucket?endpoint=http://127.0.0.1:$s3_port&region=us-east-1"
