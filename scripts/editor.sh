#!/usr/bin/env bash
# Builds the newsroom's structured editor (editor/, ProseMirror) into one
# minified script, newsroom/static/prose.js, which is committed and embedded
# in the binary. The build is deterministic: the same lockfile and sources
# give the same bytes, so scripts/test.sh can tell when the file is stale.
#
# Usage: scripts/editor.sh [output]   (default newsroom/static/prose.js)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
OUT=${1:-newsroom/static/prose.js}
case $OUT in /*) ;; *) OUT="$ROOT/$OUT" ;; esac

command -v npm >/dev/null || { echo "npm is not on PATH (Node.js 20 or later is needed)" >&2; exit 1; }
cd editor
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ "$(cat node_modules/.kolokol-lock-sha256 2>/dev/null)" != "$lock_sum" ]]; then
	npm ci --no-audit --no-fund --loglevel=error
	echo "$lock_sum" >node_modules/.kolokol-lock-sha256
fi
# Relative paths only, no source map, no banner: nothing of this machine
# or this moment ends up in the file.
node_modules/.bin/esbuild src/editor.js --bundle --minify --format=iife --target=es2020 \
	--charset=utf8 --legal-comments=eof --log-level=warning --outfile="$OUT"
