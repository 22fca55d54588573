#!/usr/bin/env bash
# Load test: kolokol serving an article page from its render cache, against
# nginx serving the very same bytes as a static file, in the same run.
#
#   bench/wrk.sh [seconds] [connections]
#
# Needs wrk and nginx (Debian: apt-get install wrk nginx-light). Everything
# listens on 127.0.0.1 only and stops when the script ends.
set -euo pipefail
secs=${1:-15}
conns=${2:-64}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; rm -rf "$work"' EXIT

for cmd in wrk nginx curl; do
	command -v "$cmd" >/dev/null || { echo "bench/wrk.sh: $cmd is not installed (apt-get install wrk nginx-light curl)" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kport=$(free_port)
nport=$(free_port)

(cd "$root" && CGO_ENABLED=0 go build -o "$work/kolokol" ./cmd/kolokol)
"$work/kolokol" serve --demo --data "$work/data" --addr "127.0.0.1:$kport" --admin-addr "" --log-level warn >"$work/serve.out" 2>"$work/serve.err" &
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$kport/healthz" >/dev/null && break; sleep 0.1; done

# The newest English story: the first article link on the service home.
rel=$(curl -fs "http://127.0.0.1:$kport/en/" | grep -o 'href="[^"]*a/[0-9][^"]*"' | head -1 | sed 's/href="//; s/"$//; s|^\./||')
path="/en/$rel"
mkdir -p "$work/www"
curl -fs "http://127.0.0.1:$kport$path" -o "$work/www/article.html"
echo "page: $path ($(wc -c <"$work/www/article.html") bytes)"

cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { text/html html; }
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    location / { add_header Cache-Control "public, max-age=30"; }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$nport/article.html" >/dev/null && break; sleep 0.1; done

run() { # name url
	wrk -t2 -c"$conns" -d"${secs}s" --latency "$2" >"$work/$1.wrk"
	local rps p99
	rps=$(awk '/Requests\/sec/ {print $2}' "$work/$1.wrk")
	p99=$(awk '$1=="99%" {print $2}' "$work/$1.wrk")
	printf '%-8s %10s req/s   p99 %s\n' "$1" "$rps" "$p99"
	echo "$rps" >"$work/$1.rps"
}
echo "wrk: ${secs}s, $conns connections, 2 threads, on $(nproc) cores"
run kolokol "http://127.0.0.1:$kport$path"
run nginx "http://127.0.0.1:$nport/article.html"
python3 -c "import sys; k,n=float(open('$work/kolokol.rps').read()),float(open('$work/nginx.rps').read()); print(f'kolokol/nginx: {100*k/n:.0f}%')"
