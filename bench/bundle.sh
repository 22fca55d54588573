#!/usr/bin/env bash
# Offline editions of one service: `kolokol bundle zim` and `kolokol bundle
# epub` of every story of the Russian service of a generated newsroom (a
# year of stories: about 1,080 of 30,000, a lead photo on half of them),
# timed with GNU time (wall, user+sys CPU, peak memory), then checked with
# Debian's zimcheck and epubcheck.
#
#   bench/bundle.sh [STORIES]   (default 30000)
#
# Environment: RUNS=3 (times each is made), KEEP=0 (1 keeps the work folder).
# Needs /usr/bin/time, zim-tools and epubcheck (with a JRE).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stories=${1:-30000}
runs=${RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/kolokol-bundle.XXXXXX")
[[ "${KEEP:-0}" == 1 ]] && echo "work folder: $work" || trap 'rm -rf "$work"' EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$work/kolokol" ./cmd/kolokol)
"$work/kolokol" demo generate --data "$work/data" --stories "$stories" | tail -n 2
printf '\n%-6s %8s %8s %9s %11s %8s\n' kind wall cpu "peak MB" bytes stories
for kind in zim epub; do
	for _ in $(seq "$runs"); do
		out=$(/usr/bin/time -f '%e %U %S %M' "$work/kolokol" bundle "$kind" --data "$work/data" --service ru --days 366 \
			--base-url https://news.example.org --out "$work/ru.$kind" 2>"$work/time" )
		read -r wall user sys peak <"$work/time"
		n=$(sed -E 's/.*: ([0-9]+) stories, ([0-9]+) bytes.*/\1/' <<<"$out")
		size=$(stat -c %s "$work/ru.$kind")
		printf '%-6s %7ss %7.2fs %9d %11d %8s\n' "$kind" "$wall" "$(echo "$user + $sys" | bc)" $((peak / 1024)) "$size" "$n"
	done
done
echo
report=$(zimcheck -A -J "$work/ru.zim" || true)
grep -q '"status" : true,' <<<"$report" && echo "zimcheck -A: no finding" || { echo "$report"; exit 1; }
java -jar /usr/bin/epubcheck "$work/ru.epub" 2>&1 | grep -E '^Messages:'
echo "load: $(cat /proc/loadavg)"
