#!/usr/bin/env bash
# Reader hot path: kolokol serving the demo's English article from its render
# cache with Accept-Encoding: gzip, as it runs by default (fasthttp) and with
# --net-http, against nginx (one worker) serving the very same gzip bytes
# (gzip_static), and against minimal net/http and fasthttp handlers writing
# those bytes (bench/bytes), all in one run, one after another, with the
# same client: wrk, one thread, 64 connections. The Go servers run with each
# GOMAXPROCS of $PROCS. nginx is measured right before each of them, and
# each share is of that measurement, so that other work on the machine moves
# both sides of a share alike. Prints a table: requests/s, share of nginx's,
# p50 and p99, nginx's beside them, and the load average before each pair.
#
#   bench/wrk.sh [seconds] [connections]
#
# Environment:
#   PROCS="1 2"       GOMAXPROCS values to run the Go servers with
#   BIN=path          a kolokol binary to measure (default: built from here)
#   MAX_LOAD=1.5      wait (a minute at a time, 30 minutes at most) until the
#                     1-minute load average is at most this before each pair
#                     of runs: other work on the machine moves the figures
#
# Needs wrk, nginx and curl (Debian: apt-get install wrk nginx-light curl).
# Everything listens on 127.0.0.1 only and stops when the script ends.
set -euo pipefail
secs=${1:-15}
conns=${2:-64}
procs=${PROCS:-1 2}
max_load=${MAX_LOAD:-1.5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

for cmd in wrk nginx curl python3; do
	command -v "$cmd" >/dev/null || { echo "bench/wrk.sh: $cmd is not installed (apt-get install wrk nginx-light curl python3)" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up() { # url: wait until it answers
	for _ in $(seq 200); do curl -fs -o /dev/null "$1" && return; sleep 0.1; done
	echo "bench/wrk.sh: $1 did not come up" >&2; exit 1
}
stop() {
	kill "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
	server=""
}

bin=${BIN:-}
if [[ -z "$bin" ]]; then
	(cd "$root" && CGO_ENABLED=0 go build -o "$work/kolokol" ./cmd/kolokol)
	bin="$work/kolokol"
fi
(cd "$root" && CGO_ENABLED=0 go build -o "$work/bytes" ./bench/bytes)

# Seed the demo once; every kolokol run below serves the same data.
kport=$(free_port)
"$bin" serve --demo --data "$work/data" --addr "127.0.0.1:$kport" --admin-addr "" --log-level warn >"$work/serve.out" 2>"$work/serve.err" &
server=$!
up "http://127.0.0.1:$kport/healthz"
# The newest English story: the first article link on the service home.
rel=$(curl -fs "http://127.0.0.1:$kport/en/" | grep -o 'href="[^"]*a/[0-9][^"]*"' | head -1 | sed 's/href="//; s/"$//; s|^\./||')
path="/en/$rel"
mkdir -p "$work/www"
curl -fs "http://127.0.0.1:$kport$path" -o "$work/www/article.html"
curl -fs -H 'Accept-Encoding: gzip' "http://127.0.0.1:$kport$path" -o "$work/www/article.html.gz"
stop
gunzip -c "$work/www/article.html.gz" | cmp -s - "$work/www/article.html" || { echo "bench/wrk.sh: the gzip bytes are not the page's" >&2; exit 1; }

nport=$(free_port)
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  gzip_static on;
  gzip_vary on;
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
up "http://127.0.0.1:$nport/article.html"

load1() { cut -d' ' -f1 /proc/loadavg; }
wait_load() {
	local waited=0
	while python3 -c "import sys; sys.exit(0 if float('$(load1)') > $max_load else 1)"; do
		if ((waited >= 30)); then
			echo "bench/wrk.sh: load still $(load1) after 30 minutes; measuring anyway" >&2
			return
		fi
		echo "bench/wrk.sh: load average $(load1) > $max_load; waiting a minute" >&2
		sleep 60
		waited=$((waited + 1))
	done
}

printf '%s\n' "page: $path ($(wc -c <"$work/www/article.html.gz") bytes gzip, $(wc -c <"$work/www/article.html") plain)"
printf '%s\n' "wrk -t1 -c$conns -d${secs}s --latency -H 'Accept-Encoding: gzip', on $(nproc) cores"
printf '%-34s %6s %8s %6s %8s %8s   %-14s\n' server load1 req/s nginx p50 p99 "nginx: req/s p99"
measure() { # url: sets rps p50 p99
	curl -fs -o /dev/null -H 'Accept-Encoding: gzip' "$1" # warm
	wrk -t1 -c"$conns" -d"${secs}s" --latency -H 'Accept-Encoding: gzip' "$1" >"$work/wrk.out"
	if ! grep -q 'Requests/sec' "$work/wrk.out" || grep -q 'Non-2xx' "$work/wrk.out"; then
		echo "bench/wrk.sh: $1: wrk failed" >&2
		cat "$work/wrk.out" >&2
		exit 1
	fi
	rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/wrk.out")
	p50=$(awk '$1=="50%" {print $2}' "$work/wrk.out")
	p99=$(awk '$1=="99%" {print $2}' "$work/wrk.out")
}
run() { # label url: nginx, then the server, on a machine found quiet
	local load nrps np99
	wait_load
	load=$(load1)
	measure "http://127.0.0.1:$nport/article.html"
	nrps=$rps np99=$p99
	measure "$2"
	printf '%-34s %6s %8s %6s %8s %8s   %7s %6s\n' "$1" "$load" "$rps" "$(python3 -c "print(f'{$rps/$nrps:.2f}')")" "$p50" "$p99" \
		"$nrps" "$np99"
}

for flags in "" "--net-http"; do
	for p in $procs; do
		port=$(free_port)
		# shellcheck disable=SC2086 # flags is one flag or none
		GOMAXPROCS=$p "$bin" serve $flags --data "$work/data" --addr "127.0.0.1:$port" --admin-addr "" --log-level warn >>"$work/serve.out" 2>>"$work/serve.err" &
		server=$!
		up "http://127.0.0.1:$port/healthz"
		run "kolokol${flags:+ $flags} GOMAXPROCS=$p" "http://127.0.0.1:$port$path"
		stop
	done
done
for flags in "" "-fasthttp"; do
	for p in $procs; do
		port=$(free_port)
		# shellcheck disable=SC2086
		GOMAXPROCS=$p "$work/bytes" $flags "127.0.0.1:$port" "$work/www/article.html.gz" &
		server=$!
		up "http://127.0.0.1:$port/"
		run "$([ -n "$flags" ] && echo fasthttp || echo net/http) bytes GOMAXPROCS=$p" "http://127.0.0.1:$port$path"
		stop
	done
done
