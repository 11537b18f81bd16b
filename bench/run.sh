#!/usr/bin/env bash
# Load benchmark of the julo server on this machine (see bench/README.md).
#
# Builds the server, starts it on a temp data dir (SQLite) and, when a
# PostgreSQL server is at hand, on a fresh PostgreSQL database; creates a
# partner with the CLI; drives the read endpoints and registration with wrk
# and whole onboardings with bench/flow; measures a bare net/http handler in
# the same run as the ceiling of the machine; prints one table.
#
# Everything listens on and talks to 127.0.0.1 only. Each phase is bounded
# in time (BENCH_SECS, BENCH_FLOW_SECS) and the flows in count too
# (BENCH_FLOW_MAX); the whole run takes about 3 minutes.
#
#   bench/run.sh
#   JULO_BENCH_DATABASE_URL=postgres://user:pass@127.0.0.1:5432/postgres?sslmode=disable bench/run.sh
#
# PostgreSQL: with JULO_BENCH_DATABASE_URL (a server where a database may be
# created; it is dropped at the end); else, when Debian's PostgreSQL server
# binaries are installed, a throwaway cluster in a temp dir, as .ci/run
# makes; else SQLite only. BENCH_PG=0 skips PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${BENCH_SECS:-8}                   # each wrk phase
FLOW_SECS=${BENCH_FLOW_SECS:-15}        # the onboarding flows
FLOW_MAX=${BENCH_FLOW_MAX:-2000}        # at most this many flows per database
CONNS=${BENCH_CONNS:-32}                # connections for the reads (and the bare handler)
WRITE_CONNS=${BENCH_WRITE_CONNS:-8}     # connections for registration
FLOW_WORKERS=${BENCH_FLOW_WORKERS:-8}   # concurrent flows
THREADS=${BENCH_THREADS:-2}             # wrk threads
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "+ apt-get install wrk" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
  else
    echo "bench: needs wrk (apt-get install wrk)" >&2
    exit 1
  fi
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/julo-bench.XXXXXX")"
pids=()
pg_stop=:
pg_drop=:
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  $pg_drop
  $pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
results="$work/results"
: >"$results"

echo "+ building into $work" >&2
go build -o "$work/julo" ./cmd/julo
go build -o "$work/bare" ./bench/bare
go build -o "$work/flow" ./bench/flow
go build -o "$work/commit" ./bench/commit

clk_tck=$(getconf CLK_TCK)
# cpu_ticks PID...: user+system CPU ticks of the processes and their reaped children.
cpu_ticks() {
  local t=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    # Fields after the ")" that ends the command name: 12-15 are utime stime cutime cstime.
    t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13 + $14 + $15}')))
  done
  echo "$t"
}
# busy_ticks: CPU ticks the whole machine spent busy (user, nice, system, irq, softirq).
busy_ticks() { awk '$1=="cpu"{print $2 + $3 + $4 + $7 + $8; exit}' /proc/stat; }
# cores TICKS SECS: ticks as cores used over secs.
cores() { awk -v t="$1" -v hz="$clk_tck" -v s="$2" 'BEGIN{printf "%.2f", t/hz/s}'; }
server_pids=() # whose CPU the table shows: the server, and PostgreSQL's processes
all_server_pids() {
  local p
  for p in "${server_pids[@]}"; do
    echo "$p"
    [ "$p" != "${pg_postmaster:-}" ] || ps -o pid= --ppid "$p" 2>/dev/null || true
  done
}

# rss_kb PID: the process's resident set in KiB.
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# profile_phase DB NAME METRICS_ADDR CMD...: runs CMD (a phase) while taking
# a CPU profile of the server for most of it (its /debug/pprof on the metrics
# listener: serve --pprof), and keeps the profile's top entries.
profile_phase() {
  local db=$1 name=$2 maddr=$3
  shift 3
  local secs=$((SECS > 3 ? SECS - 2 : 1))
  (sleep 1; curl -s -o "$work/$db-$name.pprof" "http://$maddr/debug/pprof/profile?seconds=$secs") &
  local taker=$!
  "$@"
  wait "$taker" || true
  if [ -s "$work/$db-$name.pprof" ]; then
    { echo "  $db $name: the server's CPU profile, top entries by cumulative time (go tool pprof -top -cum):"
      go tool pprof -top -cum -nodecount 25 "$work/julo" "$work/$db-$name.pprof" 2>/dev/null |
        grep -E 'julo/internal|sqlite3Prepare|gcBgMarkWorker|Syscall6|encoding/json' | head -15 | sed 's/^/    /'
    } >>"$work/profiles"
    [ -n "${BENCH_PROFILES:-}" ] && mkdir -p "$BENCH_PROFILES" && cp "$work/$db-$name.pprof" "$BENCH_PROFILES/"
  fi
  return 0
}

# record DB PHASE CONNS RPS P50 P99 ERRORS SERVER_CORES MACHINE_CORES
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }

# wrk_phase DB PHASE CONNS SCRIPT URL: one wrk run, recorded.
wrk_phase() {
  local db=$1 phase=$2 conns=$3 script=$4 url=$5
  echo "+ $db: $phase ($conns connections, ${SECS}s)" >&2
  local before after busy0 busy1 out
  busy0=$(busy_ticks)
  before=$(cpu_ticks $(all_server_pids))
  out=$(wrk -t"$THREADS" -c"$conns" -d"${SECS}s" --timeout 30s -s "$script" "$url" 2>&1) ||
    { echo "$out" >&2; return 1; }
  after=$(cpu_ticks $(all_server_pids))
  busy1=$(busy_ticks)
  local line
  line=$(grep '^RESULT' <<<"$out") || { echo "$out" >&2; return 1; }
  local rps p50_ms p99_ms non2xx sockerr secs
  eval "$(sed 's/^RESULT //' <<<"$line" | tr ' ' '\n' | grep -E '^(rps|p50_ms|p99_ms|non2xx|sockerr|secs)=')"
  record "$db" "$phase" "$conns" "$rps" "$p50_ms" "$p99_ms" "$((non2xx + sockerr))" \
    "$(cores $((after - before)) "$secs")" "$(cores $((busy1 - busy0)) "$secs")"
}

report_lua="bench/wrk/report.lua"
register_lua="$work/register.lua"
cat bench/wrk/report.lua bench/wrk/register.lua >"$register_lua"

# --- the ceiling: a bare net/http handler -----------------------------------
"$work/bare" -addr 127.0.0.1:0 >"$work/bare.out" &
bare_pid=$!
pids+=("$bare_pid")
for _ in $(seq 50); do grep -q listening "$work/bare.out" && break; sleep 0.1; done
bare_addr=$(awk '/listening/{print $2}' "$work/bare.out")
server_pids=("$bare_pid")
BENCH_USER=x BENCH_SECRET=x wrk_phase "-" "bare net/http handler (ceiling)" "$CONNS" "$report_lua" "http://$bare_addr/"
kill "$bare_pid"
wait "$bare_pid" 2>/dev/null || true

# --- the server, on one database ---------------------------------------------
# bench_db LABEL DATABASE_URL
bench_db() {
  local db=$1 dburl=$2 data="$work/data-$1" log="$work/julo-$1.log"
  mkdir -p "$data"
  local out secret
  out=$("$work/julo" partner create bench --data "$data" --database-url "$dburl")
  secret=$(sed -n 's/.*"secret_key":"\([^"]*\)".*/\1/p' <<<"$out")
  [ -n "$secret" ] || { echo "partner create printed: $out" >&2; return 1; }
  # The benchmark measures the server, not the per-partner budgets (whose
  # defaults, 50 requests/s, would answer most of the load 429): the bench
  # partner gets the largest limits.
  "$work/julo" partner set bench --requests-per-second 1000000000 --registrations-per-hour 1000000000 \
    --sms-per-day 1000000000 --prereg-checks-per-minute 1000000000 --data "$data" --database-url "$dburl" >/dev/null
  # The writes' floor on this database: single-row insert+commit, as durable
  # as the store's (bench/commit), before the server starts.
  local floor
  if [ -z "$dburl" ]; then
    floor=$("$work/commit" -sqlite "$data/floor.db" -d 3s)
  else
    floor=$("$work/commit" -database-url "$dburl" -d 3s -c "$WRITE_CONNS")
  fi
  printf '  %s: %s single-row insert+commit/s (%s writers), the floor of its writes\n' "$db" \
    "$(sed -n 's/.*commits_per_s=\([0-9]*\).*/\1/p' <<<"$floor")" "$(sed -n 's/.*conns=\([0-9]*\).*/\1/p' <<<"$floor")" >>"$work/floors"
  printf 'commit_floor_%s=%s\n' "$db" "$(sed -n 's/.*commits_per_s=\([0-9]*\).*/\1/p' <<<"$floor")" >>"$work/meta-extra"
  "$work/julo" serve --addr 127.0.0.1:0 --metrics-addr 127.0.0.1:0 --pprof --data "$data" --database-url "$dburl" 2>"$log" &
  local pid=$!
  pids+=("$pid")
  local addr="" maddr=""
  for _ in $(seq 300); do
    addr=$(grep -m1 '"msg":"listening"' "$log" | sed -n 's/.*"addr":"\([^"]*\)".*/\1/p') || true
    [ -n "$addr" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "the server did not start:" >&2; cat "$log" >&2; return 1; }
  maddr=$(grep -m1 '"msg":"metrics listening"' "$log" | sed -n 's/.*"addr":"\([^"]*\)".*/\1/p')
  server_pids=("$pid" ${pg_postmaster:+"$pg_postmaster"})
  local api="http://$addr/api/partnership/v1" xid
  # Memory: the resident set idle a second after the start, then its
  # largest value while the phases run, sampled every 200 ms.
  sleep 1
  local rss_idle
  rss_idle=$(rss_kb "$pid")
  (peak=0; while kill -0 "$pid" 2>/dev/null; do
     r=$(rss_kb "$pid"); [ "${r:-0}" -gt "$peak" ] && { peak=$r; echo "$peak" >"$work/rss-peak-$db"; }
     sleep 0.2
   done) &
  local sampler=$!
  xid=$("$work/flow" register -url "http://$addr" -user bench -secret "$secret")
  export BENCH_USER=bench BENCH_SECRET="$secret"

  wrk_phase "$db" "dropdown-data (banks)" "$CONNS" "$report_lua" "$api/dropdown-data?data_selected=banks"
  profile_phase "$db" "address-province" "$maddr" wrk_phase "$db" "address: province" "$CONNS" "$report_lua" "$api/address?get_address=province"
  wrk_phase "$db" "address: city" "$CONNS" "$report_lua" "$api/address?get_address=city&province=DKI%20Jakarta"
  wrk_phase "$db" "address: district" "$CONNS" "$report_lua" \
    "$api/address?get_address=district&province=DKI%20Jakarta&city=Jakarta%20Utara"
  wrk_phase "$db" "address: sub_district" "$CONNS" "$report_lua" \
    "$api/address?get_address=sub_district&province=DKI%20Jakarta&city=Jakarta%20Utara&district=Pademangan"
  profile_phase "$db" "application-status" "$maddr" wrk_phase "$db" "application status" "$CONNS" "$report_lua" "$api/application/status/$xid"
  wrk_phase "$db" "registration (argon2id PIN)" "$WRITE_CONNS" "$register_lua" "$api/customer"

  echo "+ $db: onboarding flows ($FLOW_WORKERS concurrent, ${FLOW_SECS}s, at most $FLOW_MAX)" >&2
  local before after busy0 busy1
  busy0=$(busy_ticks)
  before=$(cpu_ticks $(all_server_pids))
  out=$("$work/flow" run -url "http://$addr" -user bench -secret "$secret" -c "$FLOW_WORKERS" -d "${FLOW_SECS}s" -n "$FLOW_MAX")
  after=$(cpu_ticks $(all_server_pids))
  busy1=$(busy_ticks)
  echo "$out" | sed "s/^/  $db /" >>"$work/flow-steps"
  local line flows failed rps p50_ms p99_ms secs flows_per_s requests image_kb
  line=$(grep '^RESULT' <<<"$out")
  eval "$(sed 's/^RESULT //' <<<"$line" | tr ' ' '\n' | grep -E '^(flows|failed|requests|secs|flows_per_s|rps|p50_ms|p99_ms|image_kb)=')"
  record "$db" "onboarding flow ($flows_per_s flows/s)" "$FLOW_WORKERS" "$rps" "$p50_ms" "$p99_ms" "$failed" \
    "$(cores $((after - before)) "$secs")" "$(cores $((busy1 - busy0)) "$secs")"
  flow_image_kb=$image_kb

  # The server's own count, read from /metrics, must match what was sent.
  curl -s "http://$maddr/metrics" >"$work/metrics-$db.txt"
  printf '  %s /metrics: %s OTP sent, %s images stored, %s internal errors\n' "$db" \
    "$(awk '$1=="julo_otp_sent_total"{print $2}' "$work/metrics-$db.txt")" \
    "$(awk '$1=="julo_image_uploads_total{outcome=\"stored\"}"{print $2}' "$work/metrics-$db.txt")" \
    "$(awk '/^julo_internal_errors_total/{s+=$2} END{print s+0}' "$work/metrics-$db.txt")" >>"$work/flow-steps"

  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  printf '  %s: RSS idle after start %s MiB, largest during the phases %s MiB\n' "$db" \
    "$(awk -v k="$rss_idle" 'BEGIN{printf "%.1f", k/1024}')" \
    "$(awk -v k="$(cat "$work/rss-peak-$db" 2>/dev/null || echo 0)" 'BEGIN{printf "%.1f", k/1024}')" >>"$work/memory"
  printf 'rss_idle_mib_%s=%s\nrss_peak_mib_%s=%s\n' "$db" "$(awk -v k="$rss_idle" 'BEGIN{printf "%.1f", k/1024}')" \
    "$db" "$(awk -v k="$(cat "$work/rss-peak-$db" 2>/dev/null || echo 0)" 'BEGIN{printf "%.1f", k/1024}')" >>"$work/meta-extra"
}

fsync_rate=$("$work/flow" fsync -d 2s "$work" | sed -n 's/.*fsyncs_per_s=\([0-9]*\).*/\1/p')
argon=$("$work/flow" argon2 -d 2s)
argon_ms=$(sed -n 's/.*ms_per_hash=\([0-9.]*\).*/\1/p' <<<"$argon")
argon_all=$(sed -n 's/.*hashes_per_s_all_cores=\([0-9.]*\).*/\1/p' <<<"$argon")
bench_db sqlite ""

# --- PostgreSQL ---------------------------------------------------------------
pg_label="not run"
pg_admin="${JULO_BENCH_DATABASE_URL:-}"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_admin" ] && [ "${BENCH_PG:-1}" != 0 ] && [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
  # A throwaway cluster, as .ci/run makes: 127.0.0.1 only, fsync on.
  pg_dir="$work/pg"
  mkdir -p "$pg_dir"
  as_pg() { "$@"; }
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    chown postgres: "$pg_dir"
    chmod 755 "$work"
    as_pg() { (cd "$pg_dir" && runuser -u postgres -- "$@"); }
  fi
  pg_password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  (umask 077 && printf '%s\n' "$pg_password" >"$pg_dir/pwfile")
  [ "$(id -u)" != 0 ] || chown postgres: "$pg_dir/pwfile"
  as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U julo --pwfile="$pg_dir/pwfile" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 --no-instructions >"$pg_dir/initdb.log" 2>&1 ||
    { cat "$pg_dir/initdb.log" >&2; exit 1; }
  pg_cluster_stop() { as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true; }
  port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
  for _ in 1 2 3 4 5; do
    p=$((20000 + RANDOM % 30000))
    port_taken "$p" && continue
    if as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $p -k $pg_dir -c fsync=on -c max_connections=100" >/dev/null; then
      pg_admin="postgres://julo:$pg_password@127.0.0.1:$p/postgres?sslmode=disable"
      pg_stop="pg_cluster_stop"
      pg_postmaster=$(head -n 1 "$pg_dir/data/postmaster.pid")
      break
    fi
  done
  [ -n "$pg_admin" ] || { echo "PostgreSQL did not start:" >&2; cat "$pg_dir/server.log" >&2; exit 1; }
  pg_label="$("$pg_bin/postgres" --version | awk '{print $3}') in a throwaway cluster, fsync on"
elif [ -n "$pg_admin" ]; then
  pg_label="JULO_BENCH_DATABASE_URL (its CPU is not counted)"
fi
if [ -n "$pg_admin" ] && [ "${BENCH_PG:-1}" != 0 ]; then
  pg_url=$("$work/flow" createdb "$pg_admin")
  pg_name=${pg_url##*/}
  pg_name=${pg_name%%\?*}
  pg_drop="$work/flow dropdb $pg_admin $pg_name"
  bench_db postgres "$pg_url"
fi

# --- the table ----------------------------------------------------------------
cpus=$(nproc)
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
run_date=$(date -u +%Y-%m-%dT%H:%MZ)
go_line="$(go version | awk '{print $3}'), GOMAXPROCS=$cpus; wrk $THREADS threads on the same CPUs"
phases_line="reads and bare ${SECS}s at $CONNS connections, registration ${SECS}s at $WRITE_CONNS, flows ${FLOW_SECS}s x $FLOW_WORKERS (image ${flow_image_kb:-?} KiB)"
echo
echo "julo load benchmark, $run_date"
echo "machine: $cpus CPUs ($model), load average before the run: $load_before"
echo "  $go_line"
echo "disk under the data dir: $fsync_rate fsyncs/s (4 KiB write + fsync); PostgreSQL: $pg_label"
echo "argon2id PIN hash (19 MiB, 2 passes): $argon_ms ms on one core, $argon_all hashes/s on all cores (the registration ceiling)"
echo "phases: $phases_line"
cat "$work/floors"
echo
fmt='%-9s %-34s %5s %9s %8s %8s %6s %7s %8s\n'
printf "$fmt" database phase conns "req/s" "p50 ms" "p99 ms" errors server machine
printf "$fmt" -------- ---------------------------------- ----- -------- ------- ------- ------ ------ -------
while IFS=$'\t' read -r db phase conns rps p50 p99 errs cpu busy; do
  printf "$fmt" "$db" "$phase" "$conns" "$rps" "$p50" "$p99" "$errs" "$cpu" "$busy"
done <"$results"
echo
echo "server: CPU cores the server (on PostgreSQL with its database processes) used during the phase;"
echo "machine: cores busy on the whole machine (the server, the load tool, and anything else running), of $cpus."
echo "onboarding flow steps (latency of each request of a flow):"
cat "$work/flow-steps"
echo "memory (the server's resident set, /proc/PID/status VmRSS):"
cat "$work/memory"
cat "$work/profiles" 2>/dev/null || true

# --- the chart page -------------------------------------------------------------
# The same figures as a self-contained HTML page with SVG charts (bench/report):
# the results, and the header and the ceilings as key=value lines.
{
  printf 'date=%s\n' "$run_date"
  printf 'machine=%s\n' "$cpus CPUs ($model)"
  printf 'go=%s\n' "$go_line"
  printf 'load_before=%s\n' "$load_before"
  printf 'postgres=%s\n' "$pg_label"
  printf 'fsyncs_per_s=%s\n' "$fsync_rate"
  printf 'argon2id_hashes_per_s=%s\n' "$argon_all"
  printf 'argon2id_ms_per_hash=%s\n' "$argon_ms"
  printf 'phases=%s\n' "$phases_line"
  cat "$work/meta-extra" 2>/dev/null || true
} >"$work/meta"
report=${BENCH_REPORT:-bench/out/report.html}
mkdir -p "$(dirname "$report")"
go build -o "$work/report" ./bench/report
"$work/report" -results "$results" -meta "$work/meta" -o "$report"
echo
echo "chart page: $(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
