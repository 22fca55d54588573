#!/usr/bin/env bash
# Several app servers: three `kolokol serve` on one PostgreSQL behind nginx
# (round robin, keep-alive), against one server on SQLite, on the same
# corpus (`kolokol demo generate --stories STORIES`, same seed), with the
# same client: wrk, one thread, 64 connections, Accept-Encoding: gzip,
# each request a random article page out of those the services' front
# pages link to. Every server renders each page once and answers from its
# page cache after that, so a warm-up run comes first. Prints requests/s
# and p99 of each set-up. Everything listens on 127.0.0.1 and is removed
# at the end.
#
#   bench/multi.sh [STORIES] [SECONDS]   (default 10000 15)
#
# Needs Debian's postgresql, nginx-light, wrk and curl.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
stories=${1:-10000}
secs=${2:-15}
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d "${TMPDIR:-/tmp}/kolokol-multi.XXXXXX")
chmod 755 "$work"
pids=()
as=()
[[ $(id -u) -eq 0 ]] && { chown postgres "$work"; as=(runuser -u postgres --); }
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	"${as[@]}" "$pgbin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up() { for _ in $(seq 600); do curl -fs -o /dev/null "$1" && return; sleep 0.1; done; echo "$1 did not come up" >&2; exit 1; }

CGO_ENABLED=0 go build -o "$work/kolokol" ./cmd/kolokol
pgport=$(free_port)
"${as[@]}" "$pgbin/initdb" -D "$work/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o "-h 127.0.0.1 -p $pgport -k $work" start >/dev/null
"${as[@]}" "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -qc "CREATE DATABASE kolokol"
dsn="postgres://postgres@127.0.0.1:$pgport/kolokol?sslmode=disable"
mkdir -p "$work/pgdata" "$work/sqlite"
"$work/kolokol" demo generate --data "$work/pgdata" --db "$dsn" --stories "$stories" --seed 1 --now 2026-11-30T12:00:00Z >/dev/null
"$work/kolokol" demo generate --data "$work/sqlite" --stories "$stories" --seed 1 --now 2026-11-30T12:00:00Z >/dev/null

# paths.lua: a random article of those the front pages link to.
paths() { # base url: pages link relatively (a mirror serves them under any prefix)
	for svc in $(curl -fs "$1/" | grep -o 'href="[a-z-]*/"' | cut -d'"' -f2 | sort -u); do
		curl -fs "$1/$svc" | grep -o 'href="a/[^"]*"' | cut -d'"' -f2 | sed "s#^#/$svc#"
	done | sort -u >"$work/paths"
	[[ -s $work/paths ]] || { echo "no article links found on $1" >&2; exit 1; }
	{
		echo 'local paths = {}'
		while read -r p; do echo "paths[#paths+1] = \"$p\""; done <"$work/paths"
		echo 'request = function() return wrk.format("GET", paths[math.random(#paths)], {["Accept-Encoding"] = "gzip"}) end'
	} >"$work/paths.lua"
}
measure() { # name url
	wrk -t1 -c64 -d5s -s "$work/paths.lua" "$2" >/dev/null # every server renders its pages once
	local load
	load=$(cut -d' ' -f1 /proc/loadavg)
	wrk -t1 -c64 -d"${secs}s" --latency -s "$work/paths.lua" "$2" >"$work/wrk.out"
	printf '%-34s %10s req/s   p99 %8s   (%d pages, load %s)\n' "$1" \
		"$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")" "$(awk '$1=="99%" {print $2}' "$work/wrk.out")" "$(wc -l <"$work/paths")" "$load"
}

# One server on SQLite.
port=$(free_port)
"$work/kolokol" serve --data "$work/sqlite" --addr "127.0.0.1:$port" --admin-addr "" --log-level error &
pids+=($!)
up "http://127.0.0.1:$port/healthz"
paths "http://127.0.0.1:$port"
measure "one server, SQLite" "http://127.0.0.1:$port"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

# Three servers on one PostgreSQL, behind nginx.
lb=$(free_port)
upstream=""
for i in 1 2 3; do
	p=$(free_port)
	"$work/kolokol" serve --data "$work/pgdata" --db "$dsn" --addr "127.0.0.1:$p" --admin-addr "" --base-url "http://127.0.0.1:$lb" --log-level error &
	pids+=($!)
	up "http://127.0.0.1:$p/healthz"
	upstream+="server 127.0.0.1:$p;"
done
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
	access_log off;
	upstream kolokol { $upstream keepalive 64; }
	server {
		listen 127.0.0.1:$lb;
		location / { proxy_pass http://kolokol; proxy_http_version 1.1; proxy_set_header Connection ""; }
	}
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
up "http://127.0.0.1:$lb/healthz"
paths "http://127.0.0.1:$lb"
measure "three servers, PostgreSQL, nginx" "http://127.0.0.1:$lb"
