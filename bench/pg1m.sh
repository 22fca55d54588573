#!/usr/bin/env bash
# The PostgreSQL store with a newsroom of STORIES stories (default
# 1,000,000): starts a PostgreSQL cluster of its own (as the postgres
# account when run as root, with default durability) on a loopback port,
# loads the corpus with `kolokol demo generate --db` and times it, then
# runs BenchmarkStoreP99: the 50th and 99th percentiles of a publication,
# a story by id and a service's 50 newest. The cluster is removed at the
# end unless KEEP=1. LOAD_FAST=1 loads with fsync and synchronous
# commit off (a load of a million takes minutes, not an hour), then
# restarts the cluster with default durability before the benchmark,
# so the figures are those of a durable server.
#
#   bench/pg1m.sh [STORIES]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
stories=${1:-1000000}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d "${TMPDIR:-/tmp}/kolokol-pg1m.XXXXXX")
port=${PORT:-55499}
as=()
if [[ $(id -u) -eq 0 ]]; then
	chown postgres "$work"
	as=(runuser -u postgres --)
fi
stop() {
	"${as[@]}" "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
	[[ ${KEEP:-0} == 1 ]] && echo "kept: $work (port $port)" || rm -rf "$work"
}
trap stop EXIT
"${as[@]}" "$bin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
opts="-h 127.0.0.1 -p $port -k $work -c shared_buffers=1GB -c max_wal_size=4GB"
loadopts=$opts
[[ ${LOAD_FAST:-0} == 1 ]] && loadopts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
"${as[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/log" -w -o "$loadopts" start >/dev/null
"${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE kolokol"
dsn="postgres://postgres@127.0.0.1:$port/kolokol?sslmode=disable"
CGO_ENABLED=0 go build -o "$work/kolokol" ./cmd/kolokol
echo "loading $stories stories into PostgreSQL (load $(cut -d' ' -f1 /proc/loadavg))"
/usr/bin/time -f "demo generate: %e s wall, %U s user, %S s sys, %M KB peak" \
	"$work/kolokol" demo generate --data "$work/kdata" --db "$dsn" --stories "$stories" --seed 1 --now 2026-11-30T12:00:00Z
"${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d kolokol -qc "VACUUM ANALYZE" 
"${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d kolokol -Atc "SELECT 'database size: ' || pg_size_pretty(pg_database_size('kolokol'))"
if [[ $loadopts != "$opts" ]]; then
	# A checkpoint writes everything loaded without fsync to disk; the
	# restart puts the durable settings back.
	"${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CHECKPOINT"
	sync
	"${as[@]}" "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
	"${as[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/log" -w -o "$opts" start >/dev/null
	"${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -Atc "SELECT 'fsync ' || current_setting('fsync') || ', synchronous_commit ' || current_setting('synchronous_commit')"
fi
echo "benchmark (load $(cut -d' ' -f1 /proc/loadavg))"
KOLOKOL_BENCH_PG="$dsn" go test -run '^$' -bench StoreP99 -benchtime 1x -timeout 60m ./store/postgres
