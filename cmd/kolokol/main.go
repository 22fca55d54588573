// Command kolokol is the whole platform in one binary: newsroom API, reader
// site and, later, distribution. Run "kolokol help" for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=..."; without
// it, the VCS revision recorded by the go command is shown.
var version = ""

const usage = `kolokol: a publishing platform for newsrooms whose readers live where a free press is banned.

Usage:
  kolokol serve [--data DIR] [--db URL|PATH] [--addr HOST:PORT] [--base-url URL] [--demo] [--log-level L]
        [--admin-addr HOST:PORT [--admin-public]] [--access-log] [--onion URL]
        [--geo-header NAME --trusted-proxies LIST] [--geo-db FILE.mmdb] [--cdn-ttl D] [--cdn-purge FILE]
        [--smtp URL --mail-from ADDR [--subscribers-key-file F] [--dkim-key-file F --dkim-selector S] [--digest-hour H] [--mail-rate R]]
  kolokol token create --data DIR --name NAME --role reporter|editor|admin [--service CODE ...] [--expires 90d]
  kolokol token list --data DIR
  kolokol token revoke --data DIR ID
  kolokol user add --data DIR --email E [--name N] --role reporter|editor|admin [--service CODE ...] [--base-url URL]
  kolokol demo generate --data DIR --stories N [--seed S] [--now TIME]
  kolokol key show|rotate --data DIR
  kolokol verify OUTDIR|URL|FILE.zim|FILE.epub --pubkey KEYFILE [--min-edition N] [--origin ORIGIN] [--timeout 10m]
  kolokol export --data DIR --out OUTDIR --base-url URL [--feed-base URL] [--service CODE ...] [--onion ORIGIN] [--network NAME] [--full] [--catch-up N] [--log-level LEVEL]
  kolokol bundle zim|epub --data DIR --service CODE --base-url URL [--days N] --out FILE
  kolokol ingest --data DIR --service CODE FILE...
  kolokol mirror push --data DIR [--from TREE] [--mirror ID|NAME ...]
  kolokol mirror list --data DIR
  kolokol backup --data DIR --out FILE
  kolokol restore --from FILE --data DIR [--edition-floor N]
  kolokol reindex --data DIR [--db URL|PATH]
  kolokol migrate --from sqlite:PATH|postgres://… --to postgres://…|sqlite:PATH
  kolokol newsletter dkim-key --out FILE
  kolokol newsletter send --data DIR --service CODE --kind digest --smtp URL --mail-from ADDR --base-url URL
  kolokol version

Every flag has an environment equivalent: --data is KOLOKOL_DATA, --addr is
KOLOKOL_ADDR, --base-url is KOLOKOL_BASE_URL, --log-level is KOLOKOL_LOG_LEVEL.

The database is DIR/kolokol.db (SQLite) unless --db (KOLOKOL_DB) names
another: postgres://USER@HOST/DB for PostgreSQL 15 or later, or a SQLite
file's path. serve, token, user, demo generate, export, ingest, mirror and
reindex take --db; media, keys, the export and the search index stay in
--data. reindex rebuilds DIR/search, the server's search index, from the
database; stop the server first. migrate moves a newsroom's database into
a new, empty one, SQLite to PostgreSQL or back, and verifies every table;
files in --data are not moved.
`

func main() {
	ctx := context.Background()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "kolokol:", err)
		}
		os.Exit(exitCode(err))
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr, getenv)
	case "token":
		return token(ctx, args[1:], stdout, stderr, getenv)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			return fmt.Errorf("usage: kolokol user add --data DIR --email E --role ROLE [--service CODE ...]")
		}
		return userAdd(ctx, args[2:], stdout, stderr, getenv)
	case "demo":
		return demoCmd(ctx, args[1:], stdout, stderr, getenv)
	case "key":
		return key(ctx, args[1:], stdout, stderr, getenv)
	case "verify":
		return verify(ctx, args[1:], stdout, stderr, getenv)
	case "export":
		return exportCmd(ctx, args[1:], stdout, stderr, getenv)
	case "bundle":
		return bundleCmd(ctx, args[1:], stdout, stderr, getenv)
	case "ingest":
		return ingestCmd(ctx, args[1:], stdout, stderr, getenv)
	case "mirror":
		return mirrorCmd(ctx, args[1:], stdout, stderr, getenv)
	case "backup":
		return backupCmd(ctx, args[1:], stdout, stderr, getenv)
	case "restore":
		return restoreCmd(ctx, args[1:], stdout, stderr, getenv)
	case "reindex":
		return reindexCmd(ctx, args[1:], stdout, stderr, getenv)
	case "migrate":
		return migrateCmd(ctx, args[1:], stdout, stderr, getenv)
	case "newsletter":
		return runNewsletter(ctx, args[1:], stdout, stderr, getenv)
	case "media-worker": // started by serve itself, never by hand
		return mediaWorker(ctx)
	case "version":
		fmt.Fprintln(stdout, "kolokol", buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q; run kolokol help", args[0])
}

func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return info.Main.Version
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

// parseFlags reads a command's flags from the environment, then from
// args, which may hold nothing but flags.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string, usage string) error {
	if err := envFlags(fs, getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), usage)
	}
	return nil
}

// envFlags gives every flag of fs the value of its KOLOKOL_* variable as a
// default, so that flags given on the command line win over the environment.
func envFlags(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "KOLOKOL_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}
