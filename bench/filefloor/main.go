// Command filefloor makes the folders and files a full export of N stories
// makes, with nothing to render: the time the file system alone needs,
// against which bench/export.sh's figures are read.
//
//	filefloor OUT FILES STORIES
//
// FILES is how many files a story has: 1 is a static site generator's one
// page a story; 4 is the reader site's page, text-only page and two ninjs
// documents (the page and the text-only page each in a folder of its own,
// as `kolokol export` writes them). Two writers, as the export has on two
// cores. Time it with /usr/bin/time; remove OUT between runs.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: filefloor OUT FILES STORIES")
		os.Exit(2)
	}
	out := os.Args[1]
	files, err1 := strconv.Atoi(os.Args[2])
	stories, err2 := strconv.Atoi(os.Args[3])
	if err1 != nil || err2 != nil || files < 1 || files > 4 || stories < 1 {
		fmt.Fprintln(os.Stderr, "filefloor: FILES is 1 to 4, STORIES at least 1")
		os.Exit(2)
	}
	page := make([]byte, 8000) // about a story page's size
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < stories; i += 2 {
				if err := story(out, i, files, page); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fmt.Fprintln(os.Stderr, "filefloor:", err)
		os.Exit(1)
	}
}

func story(out string, i, files int, page []byte) error {
	slug := fmt.Sprintf("%d-a-story-of-some-length", i)
	dir := filepath.Join(out, "fa", "a", slug)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), page, 0o644); err != nil {
		return err
	}
	if files >= 2 {
		lite := filepath.Join(out, "fa", "lite", "a", slug)
		if err := os.MkdirAll(lite, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(lite, "index.html"), page[:4000], 0o644); err != nil {
			return err
		}
	}
	// The third and fourth files: the ninjs 2 and 3 documents.
	for v := 2; v <= files-1; v++ {
		name := filepath.Join(out, "fa", "a", fmt.Sprintf("%d.ninjs%d.json", i, v))
		if err := os.WriteFile(name, page[:3000], 0o644); err != nil {
			return err
		}
	}
	return nil
}
