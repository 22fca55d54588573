package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// Folder is the hot folder: a directory with a subfolder per service
// (DIR/ru/, DIR/fa/) where agencies and scripts drop files. Each file is
// ingested into its folder's service, then moved to done/ beside it, or to
// failed/ with NAME.error.txt saying why. Pictures that items refer to are
// read from beside them and move to done/ with them; a picture no item
// asked for stays. A file is taken once it has not changed for Settle, so
// that one still being written is not read half-way; names starting with
// "." or ending in .tmp or .part are never taken (write there, then rename).
// Each file is ingested as Actor working on its folder's service alone.
type Folder struct {
	Dir      string
	Desk     Ingester
	Actor    kolokol.Actor
	Log      *slog.Logger
	Interval time.Duration // between scans; default 2 s
	Settle   time.Duration // default 1 s
	Now      func() time.Time
}

// Run scans the folder every Interval until ctx ends.
func (f *Folder) Run(ctx context.Context) {
	every := f.Interval
	if every <= 0 {
		every = 2 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := f.Scan(ctx); err != nil && ctx.Err() == nil {
			f.Log.Error("wire folder", "dir", f.Dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Scan takes every file ready in the folder once, and says how many it
// took.
func (f *Folder) Scan(ctx context.Context) (int, error) {
	services, err := os.ReadDir(f.Dir)
	if err != nil {
		return 0, fmt.Errorf("read the wire folder: %w", err)
	}
	n := 0
	for _, s := range services {
		if !s.IsDir() || !kolokol.ValidServiceCode(s.Name()) {
			continue
		}
		m, err := f.scanService(ctx, s.Name())
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (f *Folder) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Folder) scanService(ctx context.Context, service string) (int, error) {
	dir := filepath.Join(f.Dir, service)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("read the wire folder of %s: %w", service, err)
	}
	settle := f.Settle
	if settle <= 0 {
		settle = time.Second
	}
	n := 0
	for _, e := range entries {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp") || strings.HasSuffix(name, ".part") || isPicture(name) {
			continue
		}
		info, err := e.Info()
		if err != nil || f.now().Sub(info.ModTime()) < settle {
			continue // gone, or still being written
		}
		f.take(ctx, dir, service, name)
		n++
	}
	return n, nil
}

// take ingests one file and moves it (and the pictures it used) out of
// the way.
func (f *Folder) take(ctx context.Context, dir, service, name string) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		f.Log.Error("wire folder", "dir", dir, "err", err)
		return
	}
	defer root.Close()
	var used []string
	read := Beside(root)
	beside := func(href string) ([]byte, error) {
		data, err := read(href)
		if err == nil {
			if rel, ok := localHref(href); ok {
				used = append(used, rel)
			}
		}
		return data, err
	}
	var res desk.IngestResult
	if data, err := readFile(filepath.Join(dir, name)); err != nil {
		res = desk.IngestResult{Name: name, Err: err}
	} else {
		actor := f.Actor
		actor.Services = []string{service}
		res = f.Desk.Ingest(ctx, actor, service, name, data, beside)
	}
	to := "done"
	if res.Err != nil {
		to = "failed"
	}
	moved, err := f.move(dir, to, name)
	if err != nil {
		f.Log.Error("wire folder: cannot move a file out of the way", "file", filepath.Join(dir, name), "err", err)
		return
	}
	if res.Err != nil {
		f.Log.Warn("wire file refused", "service", service, "file", name, "err", kolokol.ErrorMessage(res.Err))
		if err := os.WriteFile(filepath.Join(dir, to, moved+".error.txt"), []byte(kolokol.ErrorMessage(res.Err)+"\n"), 0o644); err != nil {
			f.Log.Error("wire folder", "err", err)
		}
		return
	}
	f.Log.Info("wire file ingested", "service", service, "file", name, "stored", len(res.Items), "unchanged", res.Unchanged, "skipped", len(res.Skipped))
	for _, p := range used {
		if filepath.Dir(p) == "." { // pictures in subfolders stay: others may share them
			if _, err := f.move(dir, to, p); err != nil && !os.IsNotExist(err) {
				f.Log.Warn("wire folder: a picture stays", "file", p, "err", err)
			}
		}
	}
}

// move puts dir/name into dir/to/, under a new name if one is there
// already, and returns the name it got.
func (f *Folder) move(dir, to, name string) (string, error) {
	if err := os.MkdirAll(filepath.Join(dir, to), 0o755); err != nil {
		return "", err
	}
	dst := name
	if _, err := os.Lstat(filepath.Join(dir, to, dst)); err == nil {
		dst = f.now().UTC().Format("20060102T150405.000000000Z") + "-" + name
	}
	return dst, os.Rename(filepath.Join(dir, name), filepath.Join(dir, to, dst))
}

// isPicture tells the files items refer to from the items themselves.
func isPicture(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".heic", ".avif":
		return true
	}
	return false
}
