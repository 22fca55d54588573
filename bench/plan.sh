#!/usr/bin/env bash
# Lists the page plan of a 100,000-story newsroom and renders every page of
# it, as an export would: pages a second and peak memory.
#
# Usage: bench/plan.sh [STORIES]   (default 100000; the corpus is made once
# under $TMPDIR/kolokol-plan-STORIES and kept for later runs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
STORIES=${1:-100000}
DATA=${TMPDIR:-/tmp}/kolokol-plan-$STORIES
BIN=$(mktemp -d)/kolokol
trap 'rm -rf "$(dirname "$BIN")"' EXIT
CGO_ENABLED=0 go build -o "$BIN" ./cmd/kolokol
if [[ ! -f $DATA/kolokol.db ]]; then
	echo "generating $STORIES stories in $DATA"
	/usr/bin/time -f "generate: %e s wall, %M KB peak RSS" "$BIN" demo generate --data "$DATA" --stories "$STORIES" --seed 1 --now 2026-11-30T12:00:00Z
fi
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
KOLOKOL_BENCH_DATA=$DATA go test -run '^$' -bench RenderPlan -benchtime 1x -timeout 60m ./render
