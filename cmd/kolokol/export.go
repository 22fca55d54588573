package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/kolokol/kolokol/export"
	"github.com/kolokol/kolokol/sign"
)

const exportUsage = "usage: kolokol export --data DIR --out OUTDIR --base-url URL [--feed-base URL] [--service CODE ...] [--onion ORIGIN] [--network NAME] [--full] [--catch-up N] [--log-level L]"

// exportCmd writes the reader site as signed static files (package
// export). Run again, it rewrites only what the changes since the last run
// touched.
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory (database and media)")
	dbFlag := fs.String("db", "", dbUsage)
	out := fs.String("out", "", "the folder to write the site to: empty, or an earlier export")
	baseURL := fs.String("base-url", "", "the site's public origin, e.g. https://news.example.org: the edition is signed for it")
	onion := fs.String("onion", "", "the site's onion origin, shown on the safety and mirrors pages as serve shows it")
	network := fs.String("network", defaultNetwork, "the network's name, as serve's --network")
	feedBase := fs.String("feed-base", "", "the address the tree is read at (a mirror's, e.g. https://mirror.example.net/news): feeds, sitemaps and ninjs link against it; default --base-url")
	full := fs.Bool("full", false, "render every page and check every file, rather than only what changed (after the tree was touched by hand)")
	level := fs.String("log-level", "warn", "debug (where a run's time goes), info, warn or error")
	catchUp := fs.Int("catch-up", export.DefaultCatchUp, "story pages whose only change is a newer \"more from the section\" list this run renders, newest first; the next runs take the rest (0: all of them now)")
	mediaS3 := mediaS3Flag(fs)
	var services stringList
	fs.Var(&services, "service", "export this service only (repeat, or comma-separate); default: every service")
	if err := parseFlags(fs, args, getenv, exportUsage); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out: give the folder to write the site to\n%s", exportUsage)
	}
	if *catchUp < 0 {
		return fmt.Errorf("--catch-up: %d is not a number of pages (0 renders them all)", *catchUp)
	} else if *catchUp == 0 {
		*catchUp = -1 // export.Options: no bound
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	origin, err := siteOrigin(*baseURL)
	if err != nil {
		return err
	}
	if getenv("GOGC") == "" {
		// An export allocates fast and keeps little (a service's lists,
		// the index): at 10,000 stories the collector ran 181 times and
		// took 8.1 s of CPU at the default 100, 2.2 s at 400, for 320 MB
		// of memory instead of 190. GOGC set in the environment wins.
		defer debug.SetGCPercent(debug.SetGCPercent(exportGCPercent))
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := openStore(ctx, *data, *dbFlag, false)
	if err != nil {
		return err
	}
	defer store.Close()
	blobs, err := openBlobs(ctx, *data, *mediaS3)
	if err != nil {
		return err
	}
	signer, err := sign.LoadSigner(*data, time.Now())
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	stateDir, err := export.StateDir(*data, *out)
	if err != nil {
		return err
	}
	ropts := readerOptions(signer, origin, *onion, *network)
	ropts.FeedBase = *feedBase
	e, err := export.New(store, blobs, export.Options{Out: *out, StateDir: stateDir, Services: services, Full: *full,
		CatchUp: *catchUp, Render: ropts, Signer: signer,
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))})
	if err != nil {
		return err
	}
	res, err := e.Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, describeExport(res))
	return nil
}

// exportGCPercent is the collector's GOGC during an export (see exportCmd).
const exportGCPercent = 400

// describeExport is the line a run prints: enough to see what it did.
func describeExport(res *export.Result) string {
	kind := "incremental"
	if res.Full {
		kind = "full (" + res.Why + ")"
	}
	what := "nothing changed, edition %d kept"
	if res.Signed {
		what = "signed edition %d"
	}
	line := fmt.Sprintf(what+": %s, %d pages rendered, %d files written, %d removed, %d files in the edition, change %d, %s",
		res.Edition, kind, res.Pages, res.Written, res.Removed, res.Files, res.Cursor, res.Took.Round(time.Millisecond))
	if res.Behind > 0 {
		line += fmt.Sprintf("; %d story pages still show an older \"more from the section\" list: run again to bring them up to date", res.Behind)
	}
	return line
}

// siteOrigin checks the origin an edition is signed for, in the one form
// a reader's verifier compares with the site it expects.
func siteOrigin(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("--base-url: give the site's public origin (https://news.example.org); every edition is signed for it")
	}
	o, err := sign.CanonicalOrigin(s)
	if err != nil {
		return "", fmt.Errorf("--base-url: %w", err)
	}
	return o, nil
}
