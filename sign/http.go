package sign

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// HTTPSource is a mirror read over HTTP(S) from its base URL, which may
// have a path ("https://mirror.example.net/some/prefix/"). It cannot list
// files, so unlisted ones go unseen: verify a copy on disk for that.
type HTTPSource struct {
	base    *url.URL
	client  *http.Client
	timeout time.Duration
}

// DefaultFileTimeout bounds one file's request and download.
const DefaultFileTimeout = 2 * time.Minute

// NewHTTPSource reads the mirror at base. client may be nil: then a client
// with a timeout at each step (connect, TLS, headers) is used, which goes
// through the proxy the environment names (HTTPS_PROXY=socks5://127.0.0.1:9050
// reaches a mirror through Tor) and follows at most five redirects.
func NewHTTPSource(base string, client *http.Client) (*HTTPSource, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("mirror address %q: %w", base, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("mirror address %q: want http(s)://host/ with an optional path", base)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	if client == nil {
		client = newHTTPClient()
	}
	return &HTTPSource{base: u, client: client, timeout: DefaultFileTimeout}, nil
}

func newHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
			IdleConnTimeout:       30 * time.Second,
			MaxIdleConnsPerHost:   8,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("more than 5 redirects")
			}
			if req.URL.Scheme != "https" && req.URL.Scheme != "http" {
				return fmt.Errorf("redirect to %s", req.URL.Scheme)
			}
			return nil
		},
	}
}

// URL is where a tree path is fetched from: each segment escaped, below
// the base path.
func (h *HTTPSource) URL(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return h.base.String() + strings.Join(segs, "/")
}

// Open fetches one file. 404 and 410 are fs.ErrNotExist, and so is 403:
// object storage that does not let the public list a bucket answers 403
// for a key it does not have. Any other answer but 200 is an error naming
// it.
func (h *HTTPSource) Open(ctx context.Context, path string) (io.ReadCloser, error) {
	if err := CheckPath(path); err != nil && !IsReserved(path) && !isPartPath(path) {
		return nil, fmt.Errorf("fetch %s: %w", path, &notRegular{path, err.Error()})
	}
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	u := h.URL(path)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("fetch %s: %w", path, err)
	}
	// Go's transport asks for gzip and undoes it itself, so a host that
	// compresses (or stores files with Content-Encoding: gzip) gives the
	// file's own bytes; the size limits count those.
	resp, err := h.client.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return &cancelBody{resp.Body, cancel}, nil
	case http.StatusNotFound, http.StatusGone, http.StatusForbidden:
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("fetch %s: %s: %w", u, resp.Status, fs.ErrNotExist)
	}
	resp.Body.Close()
	cancel()
	return nil, fmt.Errorf("fetch %s: %s", u, resp.Status)
}

// List cannot be done over HTTP.
func (h *HTTPSource) List(context.Context) ([]string, error) { return nil, ErrNoListing }

// cancelBody ends a request's timeout when its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
