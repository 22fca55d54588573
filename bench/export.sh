#!/usr/bin/env bash
# Static export against Hugo on the same stories, in one run: Hugo builds
# the newsroom's published stories as Markdown with minimal layouts of about
# the size of Kolokol's templates (bench/hugosite), then `kolokol export`
# writes the whole reader site (article, lite and script-variant pages,
# lists, pictures, the signed manifest) from a copy of the data directory;
# then one story is published and the incremental export that follows is
# timed. Each step is run RUNS times; the table gives wall time and CPU
# time (user+sys: other work on the machine moves it far less than wall
# time), and peak memory.
#
#   bench/export.sh [STORIES]   (default 10000)
#
# The corpus is made once under $TMPDIR/kolokol-plan-STORIES (as
# bench/plan.sh does) and never opened: Hugo's site is written from a copy
# of it, and every run exports from a fresh copy.
#
# Environment:
#   RUNS=3      times each step is run
#   HUGO=1      0 skips Hugo (e.g. for the incremental figure at 100,000)
#   KEEP=0      1 keeps the work directory (printed) for a look at the trees
#
# Needs Debian's hugo (apt-get install hugo) and GNU time (/usr/bin/time).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
stories=${1:-10000}
runs=${RUNS:-3}
with_hugo=${HUGO:-1}
data=${TMPDIR:-/tmp}/kolokol-plan-$stories
base=https://news.example.org
work=$(mktemp -d)
[[ ${KEEP:-0} == 1 ]] && echo "work directory: $work" || trap 'rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -o "$work/kolokol" ./cmd/kolokol
CGO_ENABLED=0 go build -o "$work/exportrun" ./bench/exportrun
go build -o "$work/hugosite" ./bench/hugosite
if [[ ! -f $data/kolokol.db ]]; then
	echo "generating $stories stories in $data"
	"$work/kolokol" demo generate --data "$data" --stories "$stories" --seed 1 --now 2026-11-30T12:00:00Z
fi

export_cmd=("$work/kolokol" export)
# One story published through the desk, as the newsroom publishes it.
publish_cmd=("$work/exportrun" publish)

rows=()
# timed NAME CMD...: runs CMD under GNU time, appends a row to the table.
timed() {
	local name=$1
	shift
	local load
	load=$(cut -d' ' -f1 /proc/loadavg)
	/usr/bin/time -o "$work/time" -f "%e %U %S %M" "$@" >"$work/out" 2>&1 || {
		cat "$work/out" >&2
		return 1
	}
	read -r wall user sys rss <"$work/time"
	rows+=("$(printf '%-22s %8.2f %8.2f %8.2f %8d %6s' "$name" "$wall" "$user" "$sys" "$((rss / 1024))" "$load")")
	sed 's/^/    /' "$work/out" | tail -2
}

echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
if [[ $with_hugo == 1 ]]; then
	# From a copy too: opening a store migrates its schema in place.
	cp -a "$data" "$work/data"
	"$work/hugosite" --data "$work/data" --out "$work/hugo"
	echo "hugo: $(hugo version | cut -d' ' -f1-2)"
fi
for run in $(seq "$runs"); do
	echo "run $run"
	if [[ $with_hugo == 1 ]]; then
		rm -rf "$work/hugo/public" "$work/hugo/resources"
		timed "hugo (full)" hugo --source "$work/hugo" --quiet
	fi
	rm -rf "$work/data" "$work/site"
	cp -a "$data" "$work/data"
	timed "kolokol export (full)" "${export_cmd[@]}" --data "$work/data" --out "$work/site" --base-url "$base"
	"${publish_cmd[@]}" --data "$work/data" | sed 's/^/    /'
	timed "export after 1 publish" "${export_cmd[@]}" --data "$work/data" --out "$work/site" --base-url "$base"
done
echo
printf '%-22s %8s %8s %8s %8s %6s\n' "$stories stories" "wall s" "user s" "sys s" "RSS MB" "load"
printf '%s\n' "${rows[@]}"
