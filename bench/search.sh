#!/usr/bin/env bash
# Search on a newsroom of STORIES stories (default 100,000) in the demo's
# 27 services: the time `kolokol reindex` takes to index them all (and
# its CPU), the index's size per story, p50 and p95 of one- and three-word
# queries (BenchmarkSearchLatency), and the reader's results pages under
# wrk (one thread, 16 connections, Accept-Encoding: gzip; each request
# one word of a headline the service's front page shows, searched in its
# service). Everything listens on 127.0.0.1 and is removed at the end.
#
#   bench/search.sh [STORIES] [SECONDS]          (default 100000 15)
#   DATA=DIR bench/search.sh                      (an existing corpus, kept)
#
# Needs wrk, curl and python3.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
stories=${1:-100000}
secs=${2:-15}
work=$(mktemp -d "${TMPDIR:-/tmp}/kolokol-search.XXXXXX")
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

CGO_ENABLED=0 go build -o "$work/kolokol" ./cmd/kolokol
data=${DATA:-}
if [[ -z $data ]]; then
	data=$work/data
	echo "generating $stories stories"
	"$work/kolokol" demo generate --data "$data" --stories "$stories" --seed 1 --now 2026-11-30T12:00:00Z >/dev/null
fi
echo "reindex (load $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores)"
/usr/bin/time -f "reindex: %e s wall, %U s user, %S s sys, %M KB peak" "$work/kolokol" reindex --data "$data"
echo "index: $(du -sb "$data/search" | cut -f1) bytes; database: $(du -sb "$data/kolokol.db" | cut -f1) bytes"

echo "query latency (load $(cut -d' ' -f1 /proc/loadavg))"
KOLOKOL_SEARCH_BENCH="$data" go test -run '^$' -bench SearchLatency -benchtime 1x ./cmd/kolokol | grep -E '^Benchmark'

port=$(free_port)
"$work/kolokol" serve --data "$data" --addr "127.0.0.1:$port" --admin-addr "" --log-level error &
pid=$!
for _ in $(seq 600); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
# queries.lua: /{service}/search?q=WORD, WORD the first word of a headline
# linked from the service's front page.
for svc in $(curl -fs "http://127.0.0.1:$port/" | grep -o 'href="[a-z-]*/"' | cut -d'"' -f2 | sort -u); do
	curl -fs "http://127.0.0.1:$port/$svc" | grep -o '<a href="a/[^"]*">[^<]*</a>' | sed 's/^[^>]*>//; s/<.*//' |
		awk -v svc="$svc" '{print svc, $1}'
done | python3 -c '
import sys, urllib.parse
for line in sys.stdin:
    svc, word = line.split(" ", 1)
    print("/%ssearch?q=%s" % (svc, urllib.parse.quote(word.strip())))
' | sort -u >"$work/queries"
[[ -s $work/queries ]] || { echo "no headlines found on the front pages" >&2; exit 1; }
{
	echo 'local paths = {}'
	while read -r p; do echo "paths[#paths+1] = \"$p\""; done <"$work/queries"
	echo 'request = function() return wrk.format("GET", paths[math.random(#paths)], {["Accept-Encoding"] = "gzip"}) end'
} >"$work/queries.lua"
wrk -t1 -c16 -d3s -s "$work/queries.lua" "http://127.0.0.1:$port" >/dev/null
load=$(cut -d' ' -f1 /proc/loadavg)
wrk -t1 -c16 -d"${secs}s" --latency -s "$work/queries.lua" "http://127.0.0.1:$port" >"$work/wrk.out"
printf 'results pages: %s req/s, p50 %s, p99 %s (%d queries, load %s)\n' \
	"$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")" "$(awk '$1=="50%" {print $2}' "$work/wrk.out")" \
	"$(awk '$1=="99%" {print $2}' "$work/wrk.out")" "$(wc -l <"$work/queries")" "$load"
grep -q 'Non-2xx' "$work/wrk.out" && { grep 'Non-2xx' "$work/wrk.out" >&2; exit 1; }
exit 0
