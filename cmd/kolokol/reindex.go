package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kolokol/kolokol/search"
)

const reindexUsage = "usage: kolokol reindex --data DIR [--db URL|PATH]"

// reindexCmd rebuilds this server's search index (DATA/search) from the
// store: after an upgrade that changes the analysis, or to repair an index.
// The server keeping the index must be stopped: the index is one process's.
func reindexCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory (the index is DIR/search)")
	dbFlag := fs.String("db", "", dbUsage)
	if err := parseFlags(fs, args, getenv, reindexUsage); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := openStore(ctx, *data, *dbFlag, false)
	if err != nil {
		return err
	}
	defer store.Close()
	ix, err := search.Open(search.Dir(*data), store, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return fmt.Errorf("%w (a server using %s must be stopped first)", err, search.Dir(*data))
	}
	start := time.Now()
	if err := ix.Reindex(ctx, store); err != nil {
		ix.Close()
		return err
	}
	n, err := ix.Count()
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	fmt.Fprintf(stdout, "search index rebuilt: %d stories in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
