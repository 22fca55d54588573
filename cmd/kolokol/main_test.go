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
//
// With KOLOKOL_TEST_AS_KOLOKOL=1 it is kolokol itself, whatever the
// arguments: the tests that kill a server (crash_test.go) run it as a
// process of its own.
func TestMain(m *testing.M) {
	if os.Getenv("KOLOKOL_TEST_AS_KOLOKOL") == "1" {
		main()
		os.Exit(0)
	}
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
