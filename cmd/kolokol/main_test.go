package main

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/kolokol/kolokol/internal/pgtest"
)

// TestMain lets the test binary stand in for kolokol as the media worker
// child: NewApp starts os.Executable() with "media-worker", which in tests
// is this binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "media-worker" {
		if err := mediaWorker(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// The PostgreSQL cluster of TestServeOnPostgres, if it started one,
	// stops with the tests.
	pgtest.Main(m)
}
