package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/ingest"
	"github.com/kolokol/kolokol/media"
)

const ingestUsage = `usage: kolokol ingest --data DIR --service CODE FILE...`

// ingestCmd puts files of agency copy into a service's wire queue. Each
// file goes in whole or not at all; the command says what became of each
// and fails if any was refused.
func ingestCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory (database and media)")
	mediaS3 := mediaS3Flag(fs)
	dbFlag := fs.String("db", "", dbUsage)
	service := fs.String("service", "", "the service whose wire queue the files go to")
	if err := envFlags(fs, getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *service == "" || fs.NArg() == 0 {
		return fmt.Errorf("name the service and at least one file\n%s", ingestUsage)
	}
	store, err := openStore(ctx, *data, *dbFlag, false)
	if err != nil {
		return err
	}
	defer store.Close()
	blobs, err := openBlobs(ctx, *data, *mediaS3)
	if err != nil {
		return err
	}
	images, err := media.NewProcessor(media.Options{})
	if err != nil {
		return err
	}
	d := desk.New(store, blobs, images, nil)
	defer d.FlushAudit(context.WithoutCancel(ctx), true)
	actor := kolokol.Actor{Name: "kolokol ingest", Role: kolokol.RoleReporter, Services: []string{*service}}
	refused := 0
	for _, file := range fs.Args() {
		res := ingest.File(ctx, d, actor, *service, file)
		if res.Err != nil {
			refused++
			fmt.Fprintf(stdout, "%s: refused: %s\n", file, kolokol.ErrorMessage(res.Err))
			continue
		}
		fmt.Fprintf(stdout, "%s: %d stored, %d unchanged", file, len(res.Items), res.Unchanged)
		if len(res.Skipped) > 0 {
			fmt.Fprintf(stdout, ", %d skipped (neither text nor picture)", len(res.Skipped))
		}
		fmt.Fprintln(stdout)
	}
	if refused > 0 {
		return fmt.Errorf("%d of %d files refused", refused, fs.NArg())
	}
	return nil
}
