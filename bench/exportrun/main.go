// Command exportrun drives the static export the way `kolokol export`
// does, for bench/export.sh, and publishes one story the way the newsroom
// does, to measure the incremental export that follows:
//
//	exportrun export --data DIR --out OUT --base-url URL [--workers N] [--cpuprofile FILE] [-v]
//	exportrun publish --data DIR [--service CODE]
//
// export prints one line: what the run did and how long it took.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/export"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
	"github.com/kolokol/kolokol/store/sqlite"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: exportrun export|publish --data DIR ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "export":
		err = runExport(os.Args[2:])
	case "publish":
		err = runPublish(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "exportrun:", err)
		os.Exit(1)
	}
}

func runExport(args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	data := fs.String("data", "", "data directory")
	out := fs.String("out", "", "output directory")
	base := fs.String("base-url", "", "the site's public origin")
	workers := fs.Int("workers", 0, "render workers (0: one per core)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	verbose := fs.Bool("v", false, "log where the run's time goes")
	fs.Parse(args)
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(*data, "kolokol.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	blobs, err := media.NewDir(filepath.Join(*data, "media"))
	if err != nil {
		return err
	}
	signer, err := sign.LoadSigner(*data, time.Now())
	if err != nil {
		return err
	}
	stateDir, err := export.StateDir(*data, *out)
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	if *verbose {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	e, err := export.New(st, blobs, export.Options{Out: *out, StateDir: stateDir, Signer: signer, Workers: *workers, Log: log,
		Render: render.Options{BaseURL: *base, SiteName: "Kolokol"}})
	if err != nil {
		return err
	}
	res, err := e.Run(ctx)
	if err != nil {
		return err
	}
	why := res.Why
	if why == "" {
		why = "incremental"
	}
	fmt.Printf("edition %d (%s): %d pages rendered, %d files written, %d removed, %d files, %.3f s\n",
		res.Edition, why, res.Pages, res.Written, res.Removed, res.Files, res.Took.Seconds())
	return nil
}

func runPublish(args []string) error {
	fs := flag.NewFlagSet("publish", flag.ExitOnError)
	data := fs.String("data", "", "data directory")
	service := fs.String("service", "en", "the service to publish in")
	fs.Parse(args)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(*data, "kolokol.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	blobs, err := media.NewDir(filepath.Join(*data, "media"))
	if err != nil {
		return err
	}
	sections, err := st.FindSections(ctx, *service)
	if err != nil {
		return err
	}
	if len(sections) == 0 {
		return fmt.Errorf("service %s has no sections", *service)
	}
	d := desk.New(st, blobs, nil, nil)
	actor := kolokol.Actor{Name: "bench", Role: kolokol.RoleAdmin}
	a, err := d.CreateArticle(ctx, actor, desk.ArticleInput{
		Service: *service, Section: sections[0].Slug,
		Headline: "Benchmark story published at " + time.Now().UTC().Format(time.RFC3339),
		Summary:  "One story, published to measure the incremental export that follows.",
		Body:     "The export after this publish renders only the pages it touches.\n\nA second paragraph, with *emphasis* and a [link](https://example.org/).",
	})
	if err != nil {
		return err
	}
	if _, err := d.Publish(ctx, actor, a.ID); err != nil {
		return err
	}
	fmt.Printf("published story %d in %s/%s\n", a.ID, *service, sections[0].Slug)
	return nil
}
