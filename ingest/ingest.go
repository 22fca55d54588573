// Package ingest brings files of agency copy into the newsroom's wire
// queue from disk: the files named on the command line, and the hot folder
// agencies and scripts drop files into (serve --wire-dir). The API takes
// them over HTTP itself (api). Each file goes in whole or not at all
// (desk.Ingest); the files of a batch go in or fail one by one.
package ingest

import (
	"context"

	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// MaxFile is the largest file read: agency copy is text, and a picture
// item's file is the largest a media upload may be.
const MaxFile = 25 << 20

// Ingester is the part of the desk ingesting needs.
type Ingester interface {
	Ingest(ctx context.Context, actor kolokol.Actor, service, name string, data []byte, beside desk.Beside) desk.IngestResult
}

// File ingests one file from disk into service's queue. The pictures its
// items refer to are read from beside it, never from outside its folder.
func File(ctx context.Context, d Ingester, actor kolokol.Actor, service, file string) desk.IngestResult {
	name := filepath.Base(file)
	data, err := readFile(file)
	if err != nil {
		return desk.IngestResult{Name: name, Err: err}
	}
	root, err := os.OpenRoot(filepath.Dir(file))
	if err != nil {
		return desk.IngestResult{Name: name, Err: fmt.Errorf("%s: %w", name, err)}
	}
	defer root.Close()
	return d.Ingest(ctx, actor, service, name, data, Beside(root))
}

func readFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	if len(data) > MaxFile {
		return nil, kolokol.Errorf(kolokol.ETOOLARGE, "%s is over %d MiB", filepath.Base(file), MaxFile>>20)
	}
	return data, nil
}

// Beside reads the files an item refers to by a relative path, inside root
// only: an absolute path, a URL, ".." or a link out of the folder is not
// read (os.Root refuses what would leave it).
func Beside(root *os.Root) desk.Beside {
	return func(href string) ([]byte, error) {
		rel, ok := localHref(href)
		if !ok {
			return nil, fmt.Errorf("%q is not a file beside the item", href)
		}
		f, err := root.Open(rel)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%q is not a regular file", href)
		}
		data, err := io.ReadAll(io.LimitReader(f, MaxFile+1))
		if err != nil {
			return nil, err
		}
		if len(data) > MaxFile {
			return nil, kolokol.Errorf(kolokol.ETOOLARGE, "%s is over %d MiB", rel, MaxFile>>20)
		}
		return data, nil
	}
}

// localHref is href as a path within the folder, if it is one: relative,
// no scheme, no query, nothing climbing out.
func localHref(href string) (string, bool) {
	if href == "" || strings.Contains(href, ":") || strings.ContainsAny(href, "?#\\\x00") || strings.HasPrefix(href, "/") {
		return "", false
	}
	clean := path.Clean(href)
	if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", false
	}
	return filepath.FromSlash(clean), true
}
