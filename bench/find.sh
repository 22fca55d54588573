#!/usr/bin/env bash
# The newsroom dashboard's search on a newsroom of 100,000 stories
# (issue 17's goal: p95 under 50 ms for a full-text query with two
# filters): BenchmarkDashboardSearch sends whole dashboard requests through
# the app's handler with a signed-in editor's session, one at a time, each
# one word of a corpus headline with two filters (a service's published
# stories in one of its sections; or all the editor's desks, published,
# changed this month), and reports p50 and p95 of each.
#
#   bench/find.sh [STORIES]                 (default 100000: generated, indexed)
#   DATA=DIR bench/find.sh                  (an existing corpus: a copy is used)
#
# The benchmark adds an account, so it runs on a copy of DATA, reindexed
# (the copy's index may be of an older version); the copy is removed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
stories=${1:-100000}
work=$(mktemp -d "${TMPDIR:-/tmp}/kolokol-find.XXXXXX")
trap 'rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -o "$work/kolokol" ./cmd/kolokol
data=$work/data
if [[ -n ${DATA:-} ]]; then
	cp -a "$DATA" "$data"
else
	echo "generating $stories stories"
	"$work/kolokol" demo generate --data "$data" --stories "$stories" --seed 1 --now 2026-11-30T12:00:00Z >/dev/null
fi
echo "reindex (load $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores)"
/usr/bin/time -f "reindex: %e s wall, %U s user, %M KB peak" "$work/kolokol" reindex --data "$data"
echo "dashboard search latency (load $(cut -d' ' -f1-3 /proc/loadavg))"
KOLOKOL_SEARCH_BENCH="$data" go test -run '^$' -bench DashboardSearch -benchtime 1x ./cmd/kolokol | grep -E '^Benchmark'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
