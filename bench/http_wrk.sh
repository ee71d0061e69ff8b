#!/usr/bin/env bash
# Benchmark: HTTP requests per second with wrk on loopback, against nginx serving a static
# file of the same size on the same machine, in one run.
#
#   bench/http_wrk.sh build/src/basin        (needs Debian's wrk and nginx-light)
#
# Reads: GET /v1/jobs/{id} and GET /v1/health vs nginx GET of a file holding the same
# bytes. Writes: POST /v1/jobs (durable: synchronous=FULL, group commit; jobs carry a
# far-future run_after so only submission is measured) with 64 connections.
set -euo pipefail
basin=$(realpath "${1:-build/src/basin}")
dir=$(mktemp -d)
trap 'kill $(cat "$dir"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$dir"' EXIT
port=$((20000 + RANDOM % 20000))
nport=$((port + 1))
"$basin" serve --listen 127.0.0.1:$port --db "$dir/b.db" --log-level error \
  --rate-limit 0 >"$dir/basin.log" 2>&1 &
echo $! >"$dir/basin.pid"
for _ in $(seq 50); do curl -sf "127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done
job=$(curl -s -X POST "127.0.0.1:$port/v1/jobs?wait=30" -H 'Content-Type: application/json' \
  -d '{"kind":"langevin","params":{"particles":100,"steps":10,"seed":1}}' |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
mkdir -p "$dir/www"
curl -s "127.0.0.1:$port/v1/jobs/$job" >"$dir/www/job.json"
curl -s "127.0.0.1:$port/v1/health" >"$dir/www/health.json"
cat >"$dir/nginx.conf" <<NGINX
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  server { listen 127.0.0.1:$nport; root $dir/www; }
}
NGINX
nginx -c "$dir/nginx.conf"
cat >"$dir/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"kind":"langevin","params":{"particles":10,"steps":5,"seed":1},"run_after":"2099-01-01T00:00:00Z"}'
LUA
rate() { wrk -t2 -c"$1" -d"${DURATION:-8}s" "${@:2}" | awk '/Requests\/sec/ {print $2}'; }
b_job=$(rate 64 "http://127.0.0.1:$port/v1/jobs/$job")
n_job=$(rate 64 "http://127.0.0.1:$nport/job.json")
b_health=$(rate 64 "http://127.0.0.1:$port/v1/health")
n_health=$(rate 64 "http://127.0.0.1:$nport/health.json")
cpu_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$dir/basin.pid")/stat"; }
# On a virtual machine the host may take cores away (steal time): its share during the
# POST run says how far the figure is the machine's rather than basin's.
steal() { awk '/^cpu / {s = 0; for (i = 2; i <= 9; i++) s += $i; print $9, s}' /proc/stat; }
t0=$(cpu_ticks)
read -r st0 all0 <<<"$(steal)"
b_post=$(rate 64 -s "$dir/post.lua" "http://127.0.0.1:$port/v1/jobs")
t1=$(cpu_ticks)
read -r st1 all1 <<<"$(steal)"
ratio() { /usr/bin/python3 -c "print('%.2f' % ($1 / $2))"; }
echo "GET /v1/jobs/{id} ($(wc -c <"$dir/www/job.json") B): basin $b_job req/s, nginx $n_job req/s, ratio $(ratio "$b_job" "$n_job")"
echo "GET /v1/health ($(wc -c <"$dir/www/health.json") B): basin $b_health req/s, nginx $n_health req/s, ratio $(ratio "$b_health" "$n_health")"
hz=$(getconf CLK_TCK)
echo "POST /v1/jobs (durable, 64 connections): basin $b_post req/s, server CPU" \
  "$(/usr/bin/python3 -c "print('%.0f' % (($t1 - $t0) / $hz * 1e6 / ($b_post * ${DURATION:-8})))") µs per request;" \
  "steal time $(/usr/bin/python3 -c "print('%.0f' % (100.0 * ($st1 - $st0) / max(1, $all1 - $all0)))")% of the CPU"
