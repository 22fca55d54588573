package mirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"path"
	"strings"
	"time"
)

// Target is a place an edition is pushed to. Paths are relative to the
// target's root, slash-separated, and checked with CheckPath (or are the
// protocol's own signed files). Every method is safe for concurrent use.
type Target interface {
	// Get returns the file at p if it is at most limit bytes; an error
	// wrapping fs.ErrNotExist when there is none.
	Get(ctx context.Context, p string, limit int64) ([]byte, error)
	// Put writes data at p atomically: a reader sees the old file or the
	// new one, never a part of it.
	Put(ctx context.Context, p string, data []byte) error
	// Delete removes the file at p (and the folders it leaves empty, where
	// there are folders); none is not an error.
	Delete(ctx context.Context, p string) error
	// Clean removes what interrupted Puts left behind (the staging
	// folder's files); a push calls it first and last.
	Clean(ctx context.Context) error
	// String names the target in messages (never with a credential).
	String() string
	Close() error
}

// permanent marks an error a retry cannot cure (a refused path, a symlink,
// a host key that does not match).
type permanent struct{ err error }

func (p *permanent) Error() string { return p.err.Error() }
func (p *permanent) Unwrap() error { return p.err }

// Permanent wraps err so that retries stop at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanent{err}
}

func isPermanent(err error) bool {
	var p *permanent
	return errors.As(err, &p) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Backoff is how an operation on a target is retried: up to Attempts
// tries, waiting Min, then twice as long each time up to Max, with jitter
// so that many files failing together do not retry in step.
type Backoff struct {
	Attempts int
	Min, Max time.Duration
}

// DefaultBackoff rides out a server's restart or a network blip (about
// 45 seconds of tries) without holding a push for minutes.
var DefaultBackoff = Backoff{Attempts: 6, Min: 500 * time.Millisecond, Max: 15 * time.Second}

// retry runs op until it succeeds, fails permanently, runs out of
// attempts or ctx ends; the error is op's last.
func (b Backoff) retry(ctx context.Context, op func() error) error {
	attempts := max(b.Attempts, 1)
	wait := b.Min
	for i := 1; ; i++ {
		err := op()
		if err == nil || isPermanent(err) || i >= attempts || ctx.Err() != nil {
			return err
		}
		d := wait
		if d > 0 {
			d = d/2 + rand.N(d/2+1) // jitter: half to all of the wait
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, b.Max)
	}
}

// contentTypes are the types a mirror serves the site's files with. Object
// stores serve a file with the type it was uploaded with, so it must be
// right (text/html for pages) and not depend on the pushing machine's
// /etc/mime.types.
var contentTypes = map[string]string{
	".html":    "text/html; charset=utf-8",
	".css":     "text/css; charset=utf-8",
	".js":      "text/javascript; charset=utf-8",
	".json":    "application/json",
	".xml":     "application/xml",
	".txt":     "text/plain; charset=utf-8",
	".svg":     "image/svg+xml",
	".webp":    "image/webp",
	".jpg":     "image/jpeg",
	".jpeg":    "image/jpeg",
	".png":     "image/png",
	".gif":     "image/gif",
	".ico":     "image/x-icon",
	".minisig": "text/plain; charset=utf-8",
	".pub":     "text/plain; charset=utf-8",
	".zim":     "application/octet-stream",
	".epub":    "application/epub+zip",
}

// feedTypes are the files whose name, not only their extension, says their
// type: the feeds (render's feed paths), which readers and aggregators
// recognise by it.
var feedTypes = map[string]string{
	"feed.xml":  "application/rss+xml; charset=utf-8",
	"atom.xml":  "application/atom+xml; charset=utf-8",
	"feed.json": "application/feed+json",
}

// ContentType is the type a file of the site is served with.
func ContentType(p string) string {
	base := path.Base(p)
	if base == "SHA256SUMS" || strings.HasSuffix(base, "-SHA256SUMS") {
		return "text/plain; charset=utf-8"
	}
	if t, ok := feedTypes[base]; ok {
		return t
	}
	ext := strings.ToLower(path.Ext(base))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// readLimited reads r to the end, refusing more than limit bytes.
func readLimited(r io.Reader, p string, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, Permanent(fmt.Errorf("%s is larger than %d bytes", p, limit))
	}
	return b, nil
}
