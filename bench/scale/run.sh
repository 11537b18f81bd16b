#!/bin/sh
# Seeds 1,000 and N applications into two fresh databases (one seeding at a
# time) and compares the latencies of the issue 17 item 4 operations on them
# (bench/scale --vs-data). SQLite in temp data dirs; with
# JULO_BENCH_DATABASE_URL (a PostgreSQL server where databases may be
# created) PostgreSQL, in two databases julo_bench_<random> dropped at the end.
#
#   bench/scale/run.sh 100000
#   JULO_BENCH_DATABASE_URL=postgres://... bench/scale/run.sh 100000
#   KEEP=1 ...   keeps the data dirs (and databases), to look at them
set -eu
N=${1:?usage: bench/scale/run.sh N [scale flags]}
shift
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
go build -o "$tmp/seed" ./bench/seed
go build -o "$tmp/scale" ./bench/scale
go build -o "$tmp/flow" ./bench/flow
small_url= big_url=
cleanup() {
	if [ "${KEEP:-}" = 1 ]; then
		echo "kept $tmp ${small_url:+and the databases}" >&2
		return
	fi
	if [ -n "$small_url" ]; then
		"$tmp/flow" dropdb "$JULO_BENCH_DATABASE_URL" "$(echo "$small_url" | sed 's|.*/\([^/?]*\).*|\1|')" || true
		"$tmp/flow" dropdb "$JULO_BENCH_DATABASE_URL" "$(echo "$big_url" | sed 's|.*/\([^/?]*\).*|\1|')" || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ -n "${JULO_BENCH_DATABASE_URL:-}" ]; then
	small_url=$("$tmp/flow" createdb "$JULO_BENCH_DATABASE_URL")
	big_url=$("$tmp/flow" createdb "$JULO_BENCH_DATABASE_URL")
fi
echo "== seeding 1000"
"$tmp/seed" --data "$tmp/small" --database-url "$small_url" --applications 1000
echo "== seeding $N"
"$tmp/seed" --data "$tmp/big" --database-url "$big_url" --applications "$N"
echo "== measuring"
"$tmp/scale" --data "$tmp/small" --database-url "$small_url" --vs-data "$tmp/big" --vs-database-url "$big_url" "$@"
