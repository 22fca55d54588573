#!/usr/bin/env bash
# Runs every test of the repository, in this order, stopping at the first failure:
#
#   1. installs what the tests need, only what is missing (Debian packages chromium,
#      wrk, nginx-light, a JRE, minisign, openssh-server, varnish, varnish-modules, postgresql,
#      zim-tools, kiwix-tools and epubcheck; staticcheck, versitygw and mailpit; the e2e
#      npm packages from the lockfile)
#   2. gofmt -l (must print nothing), go vet, staticcheck, CGO_ENABLED=0 go build;
#      the structured editor: its bundle rebuilt and compared with the committed
#      newsroom/static/prose.js, and its Markdown round-trip tests (node --test)
#   3. go test -count=1 ./...
#   4. a short fuzz run of every fuzz target in the tree (found by grep, so new ones count),
#      two at a time
#   5. the browser quality gate: node e2e/run.mjs (see e2e/run.mjs)
#
# Usage: ./scripts/test.sh
# For a quicker local loop (never in CI, which refuses them):
#   KOLOKOL_FUZZTIME=0     skip the fuzz step (default 10s per target; any go duration)
#   KOLOKOL_SKIP_E2E=1     skip the browser step
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
START=$SECONDS
FUZZTIME=${KOLOKOL_FUZZTIME:-10s}
SKIP_E2E=${KOLOKOL_SKIP_E2E:-}
STATICCHECK_VERSION=0.8.2
# The S3-compatible server the mirror tests push to (mirror/servers_test.go).
VERSITYGW_VERSION=1.8.0
# The SMTP server the email edition's tests send through (internal/realpart/mailpit.go).
MAILPIT_VERSION=1.33.1
TIMINGS=()
# The binary is pure Go (CGO_ENABLED=0) and so is every Go step here: vet, staticcheck,
# build, test and fuzz then share one build cache instead of compiling everything twice.
export CGO_ENABLED=0
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/kolokol-test.XXXXXX")
trap 'rm -rf "$LOGDIR"' EXIT

if [[ "${CI:-}" == "true" && ( "$FUZZTIME" == "0" || -n "$SKIP_E2E" ) ]]; then
	echo "FAIL: KOLOKOL_FUZZTIME=0 / KOLOKOL_SKIP_E2E are for local runs only, not CI" >&2
	exit 1
fi

STEP_NAME=""
STEP_START=0
step() {
	end_step
	STEP_NAME=$1
	STEP_START=$SECONDS
	printf '\n==> %s  (at %ds)\n' "$STEP_NAME" $((SECONDS - START))
}
end_step() {
	if [[ -n "$STEP_NAME" ]]; then
		TIMINGS+=("$(printf '%5ds  %s' $((SECONDS - STEP_START)) "$STEP_NAME")")
	fi
	STEP_NAME=""
}
die() {
	printf '\nFAIL (%s): %s\n' "${STEP_NAME:-setup}" "$*" >&2
	exit 1
}

if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi

# ---------------------------------------------------------------- 1. install

step "install what the tests need"

have() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" || -x "/usr/bin/$1" ]]; }

apt_missing=()
have chromium || apt_missing+=(chromium)
have wrk || apt_missing+=(wrk)
have nginx || apt_missing+=(nginx-light)
have java || apt_missing+=(default-jre-headless)
have minisign || apt_missing+=(minisign)
have sshd || apt_missing+=(openssh-server)
# The CDN test runs the README's VCL, which needs the xkey module.
have varnishd || apt_missing+=(varnish)
[[ -n $(find /usr/lib -path '*/varnish/vmods/libvmod_xkey.so' -print -quit 2>/dev/null) ]] || apt_missing+=(varnish-modules)
# The PostgreSQL store's tests start their own cluster from these binaries
# (internal/pgtest); Debian keeps them off PATH.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || apt_missing+=(postgresql)
# The offline editions' tests (zim/, epub/, bundle/) check files with Debian's own readers.
have zimcheck || apt_missing+=(zim-tools)
have kiwix-serve || apt_missing+=(kiwix-tools)
[[ -f /usr/bin/epubcheck || -f /usr/share/java/epubcheck.jar ]] || apt_missing+=(epubcheck)
if ((${#apt_missing[@]})); then
	command -v apt-get >/dev/null || die "missing ${apt_missing[*]} and no apt-get to install them; install them by hand"
	echo "installing Debian packages: ${apt_missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	"${SUDO[@]}" apt-get update -qq || die "apt-get update failed"
	"${SUDO[@]}" apt-get install -y -qq "${apt_missing[@]}" >"$LOGDIR/apt.log" 2>&1 ||
		{ tail -30 "$LOGDIR/apt.log" >&2; die "apt-get install ${apt_missing[*]} failed"; }
else
	echo "Debian packages present: chromium wrk nginx java minisign sshd varnishd (xkey) postgresql zim-tools kiwix-tools epubcheck"
fi

command -v go >/dev/null || [[ ! -x /usr/local/go/bin/go ]] || export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || die "go is not on PATH (Go $(sed -n 's/^go //p' go.mod) is needed)"
GOBIN_DIR=$(go env GOBIN)
[[ -n "$GOBIN_DIR" ]] || GOBIN_DIR="$(go env GOPATH)/bin"
export PATH="$GOBIN_DIR:$PATH"
if ! staticcheck -version 2>/dev/null | grep -q "($STATICCHECK_VERSION)"; then
	echo "installing staticcheck v$STATICCHECK_VERSION"
	go install "honnef.co/go/tools/cmd/staticcheck@v$STATICCHECK_VERSION" || die "go install staticcheck failed"
fi
if ! go version -m "$(command -v versitygw 2>/dev/null)" 2>/dev/null | grep -q "mod[[:space:]]*github.com/versity/versitygw[[:space:]]*v$VERSITYGW_VERSION"; then
	echo "installing versitygw v$VERSITYGW_VERSION"
	go install "github.com/versity/versitygw/cmd/versitygw@v$VERSITYGW_VERSION" || die "go install versitygw failed"
fi
if ! go version -m "$(command -v mailpit 2>/dev/null)" 2>/dev/null | grep -q "mod[[:space:]]*github.com/axllent/mailpit[[:space:]]*v$MAILPIT_VERSION"; then
	echo "installing mailpit v$MAILPIT_VERSION"
	go install "github.com/axllent/mailpit@v$MAILPIT_VERSION" || die "go install mailpit failed"
fi
echo "$(go version); $(staticcheck -version)"

if [[ -z "$SKIP_E2E" ]]; then
	command -v node >/dev/null || die "node is not on PATH (Node.js 20 or later is needed for e2e/)"
	command -v npm >/dev/null || die "npm is not on PATH"
	node_major=$(node -p 'process.versions.node.split(".")[0]')
	((node_major >= 20)) || die "Node.js $(node --version) is too old: e2e/ needs 20 or later"
	lock_sum=$(sha256sum e2e/package-lock.json | cut -d' ' -f1)
	if [[ "$(cat e2e/node_modules/.kolokol-lock-sha256 2>/dev/null)" != "$lock_sum" ]]; then
		echo "npm ci in e2e/"
		(cd e2e && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || die "npm ci in e2e/ failed"
		echo "$lock_sum" >e2e/node_modules/.kolokol-lock-sha256
	else
		echo "e2e/node_modules matches package-lock.json"
	fi
	echo "node $(node --version), $(java -version 2>&1 | head -1)"
fi

# ---------------------------------------------------------------- 2. static checks

step "gofmt -l"
mapfile -t gofiles < <(find . \( -path ./.git -o -name node_modules -o -path ./e2e/out \) -prune -o -name '*.go' -print)
if ((${#gofiles[@]})); then
	unformatted=$(gofmt -l "${gofiles[@]}")
	[[ -z "$unformatted" ]] || die "gofmt would change these files (run gofmt -w on them):
$unformatted"
fi
echo "${#gofiles[@]} Go files formatted"

step "go vet ./..."
go vet ./... || die "go vet reported problems (above)"

step "staticcheck ./..."
staticcheck ./... || die "staticcheck reported problems (above)"

step "CGO_ENABLED=0 go build ./..."
go build ./... || die "the pure-Go build failed (above)"

step "the structured editor: bundle up to date, round-trip tests"
command -v node >/dev/null || die "node is not on PATH (Node.js 20 or later builds and tests editor/)"
scripts/editor.sh "$LOGDIR/prose.js" || die "scripts/editor.sh failed (above)"
cmp -s "$LOGDIR/prose.js" newsroom/static/prose.js ||
	die "newsroom/static/prose.js is stale: run scripts/editor.sh"
node --test editor/test/ >"$LOGDIR/editor-test.log" 2>&1 ||
	{ tail -60 "$LOGDIR/editor-test.log" >&2; die "the editor's round-trip tests failed (node --test editor/test/)"; }
grep -E '^# (tests|pass)' "$LOGDIR/editor-test.log"

# ---------------------------------------------------------------- 3. go test

step "go test -count=1 ./..."
# One run gives the results and the skips (test2json through scripts/testreport): a
# second run to list skips would run every test again, since -count=1 caches nothing.
go build -o "$LOGDIR/testreport" ./scripts/testreport || die "build scripts/testreport"
report_flags=()
[[ "${KOLOKOL_REQUIRE_ALL:-}" == "1" ]] && report_flags+=(-no-skips)
set +e
go test -count=1 -timeout 25m -json ./... 2>&1 | "$LOGDIR/testreport" "${report_flags[@]}" | tee "$LOGDIR/gotest.log"
report_rc=${PIPESTATUS[1]}
set -e
case $report_rc in
0) ;;
3) die "tests were skipped under KOLOKOL_REQUIRE_ALL=1 (a missing part; listed above)" ;;
*) die "go test failed; see the FAIL lines above" ;;
esac

# ---------------------------------------------------------------- 4. fuzz

step "fuzz smoke ($FUZZTIME per target)"
if [[ "$FUZZTIME" == "0" ]]; then
	echo "skipped (KOLOKOL_FUZZTIME=0)"
else
	# Every "func FuzzXxx(f *testing.F)" in a _test.go file outside node_modules.
	mapfile -t targets < <(
		find . \( -path ./.git -o -name node_modules -o -name testdata \) -prune -o -name '*_test.go' -print |
			xargs -r grep -HoE '^func Fuzz[A-Za-z0-9_]*\(' |
			sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]*)\($#\1 \2#' | sort -u
	)
	echo "${#targets[@]} fuzz targets, two at a time"
	# fuzz_one runs one target (its log in $LOGDIR/fuzz-NAME.log) and prints its line;
	# it exits non-zero on a finding.
	fuzz_one() {
		local dir=$1 name=$2 log="$LOGDIR/fuzz-${2}-${1//\//_}.log" attempt res
		for attempt in 1 2; do
			if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$dir" >"$log" 2>&1; then
				res=$(grep -E '^ok' "$log" | tail -n 1 || true)
				echo "fuzz $name in $dir: ${res:-passed}"
				return 0
			fi
			# Go 1.26's fuzz coordinator can report "context deadline exceeded"
			# as the -fuzztime window closes, having found nothing (no failing
			# input written): go.dev/issue/75804, fixed in Go 1.27. That one
			# case is run again, once; anything else fails at once.
			if ((attempt == 1)) && grep -q 'context deadline exceeded' "$log" &&
				! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' "$log"; then
				echo "fuzz $name in $dir: the fuzz engine timed out at the deadline with nothing found; again"
				continue
			fi
			echo "fuzz $name in $dir: FAILED"
			tail -n 60 "$log"
			echo "$name in $dir failed; a failing input is saved under $dir/testdata/fuzz/$name/: commit it with the fix" >>"$LOGDIR/fuzz-failures"
			return 1
		done
	}
	# Two targets at once: on CI's two cores the smoke run takes half the wall time,
	# and each target still runs for the full -fuzztime.
	running=0
	for t in "${targets[@]}"; do
		fuzz_one "${t% *}" "${t#* }" &
		running=$((running + 1))
		if ((running >= 2)); then
			wait -n || true
			running=$((running - 1))
		fi
	done
	wait || true
	[[ ! -s "$LOGDIR/fuzz-failures" ]] || die "$(cat "$LOGDIR/fuzz-failures")"
fi

# ---------------------------------------------------------------- 5. browser

step "browser quality gate (node e2e/run.mjs)"
if [[ -n "$SKIP_E2E" ]]; then
	echo "skipped (KOLOKOL_SKIP_E2E=1)"
else
	node e2e/run.mjs || die "the browser quality gate failed; findings above, screenshots in $ROOT/e2e/out"
fi

end_step
printf '\nTIMINGS\n'
printf '%s\n' "${TIMINGS[@]}"
printf '%5ds  total\n' $((SECONDS - START))
echo "ALL CHECKS PASSED"
