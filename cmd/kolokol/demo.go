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

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/demo/corpus"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
)

const demoUsage = "usage: kolokol demo generate --data DIR --stories N [--seed S] [--now TIME]"

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "generate" {
		return fmt.Errorf("%s", demoUsage)
	}
	return demoGenerate(ctx, args[1:], stdout, stderr, getenv)
}

// demoGenerate fills a newsroom with a synthetic corpus for benchmarks (see
// package corpus), creating the built-in services first in a newsroom that
// has none, as serve does.
func demoGenerate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("demo generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory (created if need be)")
	mediaS3 := mediaS3Flag(fs)
	dbFlag := fs.String("db", "", dbUsage)
	stories := fs.Int("stories", 0, "how many stories to add, 1 to 5,000,000")
	seed := fs.Uint64("seed", 1, "the corpus's random seed: the same seed, --stories and --now give the same stories")
	nowFlag := fs.String("now", "", "the time the corpus is written at, RFC 3339 (default: the current time); stories are published over the six months before it")
	if err := parseFlags(fs, args, getenv, demoUsage); err != nil {
		return err
	}
	switch {
	case *stories <= 0:
		return fmt.Errorf("--stories: say how many stories to generate, from 1 to %d (got %d)", corpus.MaxStories, *stories)
	case *stories > corpus.MaxStories:
		return fmt.Errorf("--stories %d is more than %d, which would take hours and tens of gigabytes; generate fewer, or add them in several runs", *stories, corpus.MaxStories)
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			return fmt.Errorf("--now %q: give a time such as 2025-06-01T12:00:00Z", *nowFlag)
		}
		now = t
	}

	// Ctrl-C stops between batches: what is stored stays, whole stories.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := openStore(ctx, *data, *dbFlag, true)
	if err != nil {
		return err
	}
	defer store.Close()
	blobs, err := openBlobs(ctx, *data, *mediaS3)
	if err != nil {
		return err
	}
	// The photos go through the pipeline in this process: there is no
	// reader site here for a child process to keep them away from.
	images, err := media.NewProcessor(media.Options{})
	if err != nil {
		return err
	}
	const who = "kolokol demo generate"
	d := desk.New(store, blobs, images, nil)
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := seedServices(ctx, store, d, who, "", logger); err != nil {
		return err
	}
	start := time.Now()
	step, last := max(*stories/10, 1), 0
	res, err := corpus.Generate(ctx, store, d, corpus.Options{Stories: *stories, Seed: *seed, Now: now,
		Progress: func(n int) {
			if n/step > last/step && n < *stories { // each tenth
				fmt.Fprintf(stderr, "%d of %d stories stored\n", n, *stories)
			}
			last = n
		}})
	if err != nil {
		return fmt.Errorf("generate: %s", errorText(err))
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "generated %d stories in %d services in %s (%.0f stories/s), seed %d, ids %d to %d\n",
		res.Stories, res.Services, took.Round(10*time.Millisecond), float64(res.Stories)/took.Seconds(), *seed, res.FirstID, res.LastID)
	fmt.Fprintf(stdout, "published %d, unpublished %d, drafts %d (%d submitted for review), scheduled %d\n",
		res.ByStatus[kolokol.StatusPublished], res.ByStatus[kolokol.StatusUnpublished], res.ByStatus[kolokol.StatusDraft],
		res.Submitted, res.ByStatus[kolokol.StatusScheduled])
	fmt.Fprintf(stdout, "%d translation groups of %d stories; %d corrections on %d stories; a lead photo on %d stories (media %v)\n",
		res.Groups, res.InGroups, res.Corrections, res.Corrected, res.WithPhoto, res.Media)
	return nil
}

// errorText is the message of a refusal, or the whole error of anything
// else: this is the machine's owner, who needs the details.
func errorText(err error) string {
	if kolokol.ErrorCode(err) == kolokol.EINTERNAL {
		return err.Error()
	}
	return kolokol.ErrorMessage(err)
}
