// Command exportrun publishes one story the way the newsroom does, for
// bench/export.sh, to measure the incremental `kolokol export` that
// follows:
//
//	exportrun publish --data DIR [--service CODE]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/store/sqlite"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: exportrun publish --data DIR [--service CODE]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
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
