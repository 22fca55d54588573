#!/usr/bin/env bash
# Reader latency while editors upload: wrk reads an article page while three
# 12-megapixel photos are uploaded one after another.
#
#   bench/upload-stall.sh [BIN]
#
# Needs wrk and curl. Listens on 127.0.0.1 only; stops by itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
bin=${1:-}
if [[ -z "$bin" ]]; then
	(cd "$root" && CGO_ENABLED=0 go build -o "$work/kolokol" ./cmd/kolokol)
	bin="$work/kolokol"
fi
(cd "$root" && go run ./bench/photo 4000 3000 "$work/big.jpg")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --demo --data "$work/data" --addr "127.0.0.1:$port" --admin-addr "" --log-level warn >"$work/out" 2>"$work/err" &
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token=$(awk '/admin token/ {print $3}' "$work/out")
page=$(curl -fs "http://127.0.0.1:$port/en/" | grep -o 'href="a/[^"]*"' | head -1 | sed 's/href="//; s/"$//')
(for _ in 1 2 3; do curl -fs -o /dev/null -H "Authorization: Bearer $token" -F service=en -F "file=@$work/big.jpg" "http://127.0.0.1:$port/api/v1/media"; done) &
uploads=$!
wrk -t1 -c8 -d12s --latency "http://127.0.0.1:$port/en/$page" | grep -E "Latency  |99%|Requests/sec"
wait "$uploads"
