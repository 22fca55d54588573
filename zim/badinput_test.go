package zim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

func TestWriteRefusesBadInput(t *testing.T) {
	for _, c := range []struct {
		name    string
		breakIt func(*Archive)
		want    string
	}{
		{"no archive", nil, "no archive"},
		{"empty archive", func(a *Archive) { a.Entries = nil }, "no entries"},
		{"duplicate path", func(a *Archive) { a.Entries[2].Path = a.Entries[1].Path }, `duplicate path "a/1.html"`},
		{"redirect on an entry's path", func(a *Archive) { a.Redirects[0].Path = "style.css" }, `duplicate path "style.css"`},
		{"dot-dot segment", func(a *Archive) { a.Entries[1].Path = "a/../x.html" }, `has a ".." segment`},
		{"dot segment", func(a *Archive) { a.Entries[1].Path = "./x.html" }, `has a "." segment`},
		{"leading slash", func(a *Archive) { a.Entries[1].Path = "/a/1.html" }, "starts with a slash"},
		{"empty segment", func(a *Archive) { a.Entries[1].Path = "a//1.html" }, "empty segment"},
		{"empty path", func(a *Archive) { a.Entries[1].Path = "" }, "empty path"},
		{"NUL in path", func(a *Archive) { a.Entries[1].Path = "a/\x00.html" }, "NUL"},
		{"non-UTF-8 path", func(a *Archive) { a.Entries[1].Path = "a/\xff.html" }, "not valid UTF-8"},
		{"non-UTF-8 title", func(a *Archive) { a.Entries[1].Title = "\xfe\xff" }, "not valid UTF-8"},
		{"non-UTF-8 metadata", func(a *Archive) { a.Metadata.Creator = "K\xff" }, "metadata Creator"},
		{"no MIME type", func(a *Archive) { a.Entries[1].MIME = "" }, "no MIME type"},
		{"MIME type with a line break", func(a *Archive) { a.Entries[1].MIME = "text/html\r\nX-Evil: 1" }, "has white space"},
		{"MIME type with a space", func(a *Archive) { a.Entries[1].MIME = "text /html" }, "has white space"},
		{"no data", func(a *Archive) { a.Entries[1].Data = nil }, "has no data"},
		{"redirect to a missing path", func(a *Archive) { a.Redirects[0].Target = "a/9.html" }, `"a/9.html" does not exist`},
		{"redirect loop", func(a *Archive) {
			a.Redirects = []Redirect{{Path: "x", Target: "y"}, {Path: "y", Target: "x"}}
		}, "redirect loop"},
		{"redirect to itself", func(a *Archive) { a.Redirects[0].Target = a.Redirects[0].Path }, "redirect loop"},
		{"no main page", func(a *Archive) { a.Main = "" }, "no main page"},
		{"missing main page", func(a *Archive) { a.Main = "home.html" }, `main page "home.html"`},
		{"no Name", func(a *Archive) { a.Metadata.Name = "" }, "metadata Name is missing"},
		{"no Title", func(a *Archive) { a.Metadata.Title = " " }, "metadata Title is missing"},
		{"no Creator", func(a *Archive) { a.Metadata.Creator = "" }, "metadata Creator is missing"},
		{"no Publisher", func(a *Archive) { a.Metadata.Publisher = "" }, "metadata Publisher is missing"},
		{"no Date", func(a *Archive) { a.Metadata.Date = "" }, "metadata Date is missing"},
		{"no Description", func(a *Archive) { a.Metadata.Description = "" }, "metadata Description is missing"},
		{"no Language", func(a *Archive) { a.Metadata.Language = "" }, "metadata Language is missing"},
		{"no illustration", func(a *Archive) { a.Metadata.Illustration48 = nil }, "Illustration_48x48@1 is missing"},
		{"illustration not a PNG", func(a *Archive) { a.Metadata.Illustration48 = a.Entries[5].Data }, "is not a PNG"},
		{"illustration of the wrong size", func(a *Archive) { a.Metadata.Illustration48 = a.Entries[6].Data }, "is 40x30, not 48x48"},
		{"Description over 80 characters", func(a *Archive) { a.Metadata.Description = strings.Repeat("خبر ", 20) + "x" }, "Description has 81 characters"},
		{"Title over 30 characters", func(a *Archive) { a.Metadata.Title = strings.Repeat("k", 31) }, "Title has 31 characters"},
		{"LongDescription over 4000", func(a *Archive) { a.Metadata.LongDescription = strings.Repeat("x", 4001) }, "LongDescription has 4001"},
		{"LongDescription same as Description", func(a *Archive) { a.Metadata.LongDescription = a.Metadata.Description }, "repeats Description"},
		{"bad date", func(a *Archive) { a.Metadata.Date = "2026-13-01" }, `Date "2026-13-01"`},
		{"two-letter language", func(a *Archive) { a.Metadata.Language = "fa" }, `"fa" is not an ISO 639-3 code`},
		{"bad second language", func(a *Archive) { a.Metadata.Language = "fas,EN" }, `"EN" is not an ISO 639-3 code`},
		{"Name with a space", func(a *Archive) { a.Metadata.Name = "kolokol fa" }, "white space"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var a *Archive
			if c.breakIt != nil {
				a = sample(t, persian)
				c.breakIt(a)
			}
			var b bytes.Buffer
			err := Write(&b, a)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Write: %v, want an error saying %q", err, c.want)
			}
			if b.Len() != 0 {
				t.Errorf("Write wrote %d bytes of a bad archive", b.Len())
			}
			dir := t.TempDir()
			if err := WriteFile(context.Background(), filepath.Join(dir, "x.zim"), a); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("WriteFile: %v, want an error saying %q", err, c.want)
			}
			assertEmpty(t, dir)
		})
	}
}

func TestWriteRefusesLongRedirectChain(t *testing.T) {
	a := sample(t, english)
	a.Redirects = nil
	prev := "index.html"
	for i := range maxRedirects + 1 {
		p := fmt.Sprintf("r/%d", i)
		a.Redirects = append(a.Redirects, Redirect{Path: p, Target: prev})
		prev = p
	}
	if err := Write(&bytes.Buffer{}, a); err == nil || !strings.Contains(err.Error(), "chain longer") {
		t.Errorf("Write: %v, want a refusal of a chain of %d redirects", err, maxRedirects+1)
	}
	a.Redirects = a.Redirects[:maxRedirects]
	if err := Write(&bytes.Buffer{}, a); err != nil {
		t.Errorf("a chain of %d redirects: %v", maxRedirects, err)
	}
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range left {
		t.Errorf("%s left behind", f.Name())
	}
}

// failingWriter fails once n bytes are written.
type failingWriter struct{ n int }

var errDiskFull = errors.New("disk full (test)")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

// big is an archive of several clusters: enough text for two zstd
// clusters and pictures for three plain ones.
func big(t testing.TB) *Archive {
	a := sample(t, english)
	for i := range 60 {
		page := bytes.Repeat(fmt.Appendf(nil, "<p>Story %d, paragraph about the news of the day %d.</p>\n", i, i*i), 800)
		a.Entries = append(a.Entries, Entry{Path: fmt.Sprintf("b/%d.html", i), Title: fmt.Sprintf("Story %d", i), MIME: "text/html", Data: page})
		pic := bytes.Repeat([]byte{byte(i), 0xd8, byte(i * 7)}, 30000)
		a.Entries = append(a.Entries, Entry{Path: fmt.Sprintf("p/%d.jpg", i), MIME: "image/jpeg", Data: pic})
	}
	return a
}

func TestWriteFailingWriter(t *testing.T) {
	a := big(t)
	full := encode(t, a)
	for _, n := range []int{0, 79, 80, 1000, len(full) / 3, len(full) - 16, len(full) - 1} {
		err := Write(&failingWriter{n: n}, a)
		if !errors.Is(err, errDiskFull) {
			t.Errorf("writer failing after %d of %d bytes: Write = %v", n, len(full), err)
		}
	}
	if err := Write(&failingWriter{n: len(full)}, a); err != nil {
		t.Errorf("writer with room for the whole file: %v", err)
	}
}

// countdownCtx is a context that is cancelled after its Err has been
// asked n times: a cancellation at each step of a write, deterministically.
type countdownCtx struct {
	context.Context
	n atomic.Int64
}

func (c *countdownCtx) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestWriteFileCancelledMidWrite(t *testing.T) {
	a := big(t)
	failed := 0
	for n := int64(0); ; n++ {
		if n > 1000 {
			t.Fatal("WriteFile never finished")
		}
		ctx := &countdownCtx{Context: context.Background()}
		ctx.n.Store(n)
		dir := t.TempDir()
		path := filepath.Join(dir, "x.zim")
		err := WriteFile(ctx, path, a)
		if err == nil {
			r, err := OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if err := r.Checksum(); err != nil {
				t.Fatal(err)
			}
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled after %d checks: %v", n, err)
		}
		assertEmpty(t, dir)
		failed++
	}
	// Cancelled while compressing, before each cluster written, and
	// before the rename.
	if failed < 8 {
		t.Errorf("only %d cancellations tried", failed)
	}
}

// TestWriteFileDiskFull fills the disk for real: the test runs itself
// under a file size limit (ulimit -f), so the file system refuses the
// write half-way, as a full disk does.
func TestWriteFileDiskFull(t *testing.T) {
	if dir := os.Getenv("ZIM_DISK_FULL_DIR"); dir != "" {
		signal.Ignore(syscall.SIGXFSZ)
		err := WriteFile(context.Background(), filepath.Join(dir, "x.zim"), big(t))
		fmt.Printf("WriteFile: %v\n", err)
		return
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	cmd := exec.Command(sh, "-c", `ulimit -f 512 && exec "$0" -test.run '^TestWriteFileDiskFull$' -test.v`, os.Args[0])
	cmd.Env = append(os.Environ(), "ZIM_DISK_FULL_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("WriteFile: zim: write")) || !bytes.Contains(out, []byte(syscall.EFBIG.Error())) {
		t.Errorf("WriteFile under a file size limit did not fail with %q:\n%s", syscall.EFBIG, out)
	}
	assertEmpty(t, dir)
}
