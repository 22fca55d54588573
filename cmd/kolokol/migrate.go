package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/storecopy"
)

const migrateUsage = "usage: kolokol migrate --from sqlite:PATH|postgres://… --to postgres://…|sqlite:PATH"

// migrateCmd moves a newsroom's database from one store to the other (see
// package storecopy): SQLite to PostgreSQL when it outgrows one machine,
// and back. Files in the data directory (media, keys, the export) are not
// the database's and stay where they are.
func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the newsroom's database: sqlite:PATH (or a PATH) or a postgres://USER@HOST/DB URL")
	to := fs.String("to", "", "a new, empty database to move it into, named the same ways (a SQLite file is created)")
	if err := parseFlags(fs, args, getenv, migrateUsage); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return fmt.Errorf("--from and --to: name both databases\n%s", migrateUsage)
	}
	for _, f := range []struct{ flag, db string }{{"--from", *from}, {"--to", *to}} {
		if err := checkScheme(f.db); err != nil {
			return fmt.Errorf("%s: %w", f.flag, err)
		}
	}
	if same, err := sameDatabase(*from, *to); err != nil {
		return err
	} else if same {
		return fmt.Errorf("--from and --to name the same database (%s): a newsroom moves into a new, empty one", describeDB(*to))
	}

	// Stopped by a signal, the destination's transaction rolls back:
	// nothing is left half-copied.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	src, err := openStore(ctx, "", *from, false)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer src.Close()

	// A SQLite file this command creates is removed again if the move
	// fails, so that the command can simply be run again.
	var created string
	if !isPostgres(*to) {
		path := strings.TrimPrefix(*to, "sqlite:")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			created = path
		}
	}
	// A SQLite destination is created (its directory too); a PostgreSQL
	// one must exist, as for serve, and gets its schema here.
	dst, err := openStore(ctx, filepath.Dir(strings.TrimPrefix(*to, "sqlite:")), *to, created != "")
	if err != nil {
		removeSQLite(created)
		return fmt.Errorf("--to: %w", err)
	}
	fmt.Fprintf(stdout, "moving %s to %s\n", describeDB(*from), describeDB(*to))
	start := time.Now()
	rep, err := storecopy.Copy(ctx, side(src, *from), side(dst, *to))
	closeErr := dst.Close()
	if err == nil && closeErr != nil {
		err = fmt.Errorf("close the destination: %w", closeErr)
	}
	if err != nil {
		switch {
		case errors.Is(err, storecopy.ErrNotEmpty):
			err = fmt.Errorf("%w (%s)", err, describeDB(*to))
		case errors.Is(err, storecopy.ErrDiffer) && created == "":
			// The copy committed before it was verified: say what to
			// clear before the next attempt.
			err = fmt.Errorf("%w; the destination holds the copy that differs: do not serve from it, and empty it (drop and create the database) before moving again", err)
		}
		if created != "" {
			removeSQLite(created)
		}
		return fmt.Errorf("migrate: %w", err)
	}
	took := time.Since(start)

	// Names to the left, counts to the right, as a reader compares them.
	wName, wRows := len("table"), len("rows")
	for _, t := range rep.Tables {
		wName, wRows = max(wName, len(t.Name)), max(wRows, len(strconv.FormatInt(t.Rows, 10)))
	}
	fmt.Fprintf(stdout, "  %-*s  %*s  %s\n", wName, "table", wRows, "rows", "SHA-256 (first 16)")
	var rows int64
	for _, t := range rep.Tables {
		fmt.Fprintf(stdout, "  %-*s  %*d  %s\n", wName, t.Name, wRows, t.Rows, t.SHA256[:16])
		rows += t.Rows
	}
	fmt.Fprintf(stdout, "verified: %d tables, %d rows, equal in both databases; the change log goes on after seq %d (%s: copied in %s, verified in %s)\n",
		len(rep.Tables), rows, rep.ChangeSeq, took.Round(10*time.Millisecond), rep.Copied.Round(10*time.Millisecond), rep.Verified.Round(10*time.Millisecond))
	fmt.Fprintln(stdout, "media files, signing keys and the export are not moved: they stay in the data directory (or the media bucket); keep --data as it was and give --db the new database")
	return nil
}

// side is a store's database for storecopy.
func side(s kolokol.Store, db string) storecopy.DB {
	e := storecopy.SQLite
	if isPostgres(db) {
		e = storecopy.Postgres
	}
	d := storecopy.DB{Engine: e}
	if h, ok := s.(interface{ DB() *sql.DB }); ok {
		d.DB = h.DB()
	}
	return d
}

var schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]+):`)

// checkScheme refuses a database named by a scheme no store takes
// ("mysql://…"), which --db would take for a file's name.
func checkScheme(db string) error {
	if isPostgres(db) {
		return nil
	}
	if strings.TrimPrefix(db, "sqlite:") == "" {
		return fmt.Errorf("sqlite: give the file's path, as sqlite:PATH")
	}
	if strings.HasPrefix(db, "sqlite:") {
		return nil
	}
	if m := schemeRE.FindStringSubmatch(db); m != nil {
		// The address is not repeated: it may hold a password.
		return fmt.Errorf("unknown database scheme %q: give sqlite:PATH or postgres://USER@HOST/DB", m[1])
	}
	return nil
}

// sameDatabase reports whether a and b name one database: one SQLite file
// (by its path, or the file itself when both exist), or one PostgreSQL
// database on one server.
func sameDatabase(a, b string) (bool, error) {
	if isPostgres(a) != isPostgres(b) {
		return false, nil
	}
	if isPostgres(a) {
		ca, err := pgx.ParseConfig(a)
		if err != nil {
			return false, fmt.Errorf("--from %s does not parse", describeDB(a))
		}
		cb, err := pgx.ParseConfig(b)
		if err != nil {
			return false, fmt.Errorf("--to %s does not parse", describeDB(b))
		}
		return ca.Host == cb.Host && ca.Port == cb.Port && ca.Database == cb.Database, nil
	}
	pa, pb := strings.TrimPrefix(a, "sqlite:"), strings.TrimPrefix(b, "sqlite:")
	fa, errA := os.Stat(pa)
	fb, errB := os.Stat(pb)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb), nil
	}
	absA, err := filepath.Abs(pa)
	if err != nil {
		return false, err
	}
	absB, err := filepath.Abs(pb)
	if err != nil {
		return false, err
	}
	return absA == absB, nil
}

// removeSQLite removes a SQLite file the command created, with its WAL.
func removeSQLite(path string) {
	if path == "" {
		return
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
}
