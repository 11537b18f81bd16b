#!/usr/bin/env bash
# Runs every fuzz target of the module for a bounded time each, so that a
# new crash fails CI instead of reaching a partner. Targets are found, not
# listed: every `func FuzzX(f *testing.F)` in a tracked _test.go file.
#
#   .ci/fuzz.sh                  # 20 s per target
#   FUZZTIME=3s .ci/fuzz.sh      # any -fuzztime value (a duration, or Nx runs)
#   FUZZ_PARALLEL=2 .ci/fuzz.sh  # fuzzing workers per target (default: GOMAXPROCS)
#   FUZZ_ONLY=Decoder .ci/fuzz.sh  # only the targets whose "dir name" matches (grep -E)
#
# A crash leaves its input under the package's testdata/fuzz/FuzzX/; commit
# it with the fix, and it runs with every plain `go test` from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-20s}"
parallel=()
[ -n "${FUZZ_PARALLEL:-}" ] && parallel=(-parallel "$FUZZ_PARALLEL")

# "dir name" for each target, in a stable order.
targets=$(git ls-files '*_test.go' |
  xargs grep -H -o -E '^func Fuzz[A-Za-z0-9_]*\(' |
  sed -E 's#^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($#\1 \2#' | sort -u)
[ -z "${FUZZ_ONLY:-}" ] || targets=$(grep -E -- "$FUZZ_ONLY" <<<"$targets" || true)
[ -n "$targets" ] || { echo "no fuzz targets found" >&2; exit 1; }

failed=()
n=0
while read -r dir name; do
  n=$((n + 1))
  echo "+ go test -run '^\$' -fuzz '^$name\$' -fuzztime $fuzztime ./$dir"
  # One target per run: go test fuzzes a single target at a time.
  if ! go test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" "${parallel[@]}" "./$dir"; then
    failed+=("$dir $name")
    ls -1 "$dir/testdata/fuzz/$name" 2>/dev/null | sed "s#^#  new failing input: $dir/testdata/fuzz/$name/#" || true
  fi
done <<<"$targets"

if [ ${#failed[@]} -gt 0 ]; then
  printf 'fuzzing failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzzing: $n targets, $fuzztime each, no failure"
