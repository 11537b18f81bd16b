-- Shared by every wrk phase of bench/run.sh: the partner headers, and one
-- machine-readable RESULT line at the end (run.sh builds its table from it).
-- Latencies are wrk's own (from sending a request to its last byte).
wrk.headers["username"] = os.getenv("BENCH_USER")
wrk.headers["secret-key"] = os.getenv("BENCH_SECRET")

function done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format("RESULT requests=%d secs=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d sockerr=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      e.status, e.connect + e.read + e.write + e.timeout))
end
