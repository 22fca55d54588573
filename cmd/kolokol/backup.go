package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kolokol/kolokol/backup"
	"github.com/kolokol/kolokol/export"
	"github.com/kolokol/kolokol/store/sqlite"
)

const (
	backupUsage  = "usage: kolokol backup --data DIR --out FILE"
	restoreUsage = "usage: kolokol restore --from FILE --data DIR [--edition-floor N]"
)

// backupCmd writes an online, consistent backup of a data directory to a
// file, while a server may be serving from it.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory to back up (a server may be running on it)")
	out := fs.String("out", "", "the backup file to write (.tar.gz); it must not exist")
	if err := parseFlags(fs, args, getenv, backupUsage); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out: give the file to write\n%s", backupUsage)
	}
	if _, err := os.Stat(filepath.Join(*data, backup.DBName)); err != nil {
		return fmt.Errorf("no Kolokol database in %s", *data)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	edition, err := export.LastEdition(*data, exportDir(*data))
	if err != nil {
		return fmt.Errorf("backup: the export's edition: %w", err)
	}
	// Written beside its name and renamed when whole: a backup that was
	// cut short is never taken for one. It holds the signing key: 0600.
	tmp := *out + ".part"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp) // a no-op once renamed
	m, err := backup.Write(ctx, backup.Source{Data: *data, Snapshot: sqlite.Snapshot, Edition: edition}, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if _, err := os.Lstat(*out); err == nil {
		return fmt.Errorf("backup: %s exists; give a new file", *out)
	}
	if err := os.Rename(tmp, *out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fi, _ := os.Stat(*out)
	fmt.Fprintf(stdout, "backed up %d files (%s, %s compressed) to %s in %s; newest edition %d\n",
		len(m.Files), sizeText(m.Bytes()), sizeText(fi.Size()), *out, time.Since(start).Round(time.Millisecond), m.Edition)
	return nil
}

// restoreCmd restores a backup into a new data directory.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the backup file (kolokol backup --out)")
	data := fs.String("data", "", "the data directory to restore into: new or empty")
	floor := fs.Int64("edition-floor", 0, "the newest edition any mirror serves, when editions were signed after the backup was taken: the restored newsroom signs above it")
	if err := parseFlags(fs, args, getenv, restoreUsage); err != nil {
		return err
	}
	if *from == "" || *data == "" {
		return fmt.Errorf("give --from and --data\n%s", restoreUsage)
	}
	if *floor < 0 {
		return fmt.Errorf("--edition-floor %d: give an edition number", *floor)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	f, err := os.Open(*from)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	abs, err := filepath.Abs(*data)
	if err != nil {
		return err
	}
	var edition int64
	m, err := backup.Restore(ctx, f, abs, func(ctx context.Context, dir string, m *backup.Manifest) error {
		db := filepath.Join(dir, backup.DBName)
		if err := sqlite.Check(ctx, db); err != nil {
			return err
		}
		// Opening it brings the schema up to this build's.
		st, err := sqlite.Open(ctx, db)
		if err != nil {
			return err
		}
		if err := st.Close(); err != nil {
			return err
		}
		// The export's state is not in a backup: its next edition must
		// still be above every one signed. Its state directory is named
		// for the export's final path, and goes in the staged directory.
		edition = max(m.Edition, *floor)
		if edition == 0 {
			return nil
		}
		return export.RaiseEdition(dir, exportDir(abs), edition)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %d files (%s) into %s, backed up %s", len(m.Files), sizeText(m.Bytes()), *data, m.Created.Format(time.RFC3339))
	if edition > 0 {
		fmt.Fprintf(stdout, "; the next edition signed is above %d", edition)
	}
	fmt.Fprintln(stdout)
	return nil
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
