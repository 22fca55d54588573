package cdn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/changelog"
	"github.com/kolokol/kolokol/internal/secretfile"
)

// Config is the purge call, read from a JSON file (LoadConfig): an HTTP
// request template whose {key}, {keys}, {keys_comma} or {keys_json} are
// replaced by the keys to purge. The file holds the CDN's API token, so it
// must be private (mode 0600).
type Config struct {
	// Method is the request's method; "" is POST.
	Method string `json:"method"`
	// URL is where the request goes. Placeholders in it are path-escaped.
	URL string `json:"url"`
	// Headers are sent as given, with placeholders replaced.
	Headers map[string]string `json:"headers"`
	// Body is the request body, with placeholders replaced; {keys_json}
	// is a JSON array of the keys.
	Body string `json:"body"`
	// Batch is how many keys one request carries: 30 when 0 (Cloudflare's
	// limit for a purge by tag); a template with {key} sends one key a
	// request.
	Batch int `json:"batch"`
	// Timeout bounds one request: 10s when "".
	Timeout string `json:"timeout"`

	timeout time.Duration
	single  bool // {key}: one request per key
}

const (
	defaultBatch   = 30
	maxBatch       = 1000
	defaultTimeout = 10 * time.Second
	maxTimeout     = 2 * time.Minute
	// maxConfigBytes bounds the file: a template is a few hundred bytes.
	maxConfigBytes = 64 << 10
)

var plural = []string{"{keys}", "{keys_comma}", "{keys_json}"}

// LoadConfig reads and checks a purge template file. A file that others
// can read is refused: it holds the CDN's token.
func LoadConfig(path string) (*Config, error) {
	b, err := secretfile.Read(path, maxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("purge template: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("purge template %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig reads a purge template from JSON and checks it.
func ParseConfig(b []byte) (*Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("not a purge template: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not a purge template: more than one JSON value")
	}
	return &c, c.check()
}

func (c *Config) check() error {
	if c.Method == "" {
		c.Method = http.MethodPost
	}
	if !token(c.Method) {
		return fmt.Errorf("method %q is not an HTTP method", c.Method)
	}
	u, err := url.Parse(strings.ReplaceAll(c.URL, "{key}", "k"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url %q: give the purge endpoint's http:// or https:// address", c.URL)
	}
	all := c.URL + c.Body
	for k, v := range c.Headers {
		if !token(k) {
			return fmt.Errorf("header name %q is not a valid HTTP header name", k)
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return fmt.Errorf("header %s: a value cannot hold a line break", k)
		}
		all += v
	}
	c.single = strings.Contains(all, "{key}")
	many := false
	for _, p := range plural {
		many = many || strings.Contains(all, p)
	}
	switch {
	case c.single && many:
		return errors.New("use {key} (one request a key) or {keys}, {keys_comma}, {keys_json} (several a request), not both")
	case !c.single && !many:
		return errors.New("the template names no keys: put {key}, {keys}, {keys_comma} or {keys_json} in the url, a header or the body, or every purge would drop the same thing")
	}
	switch {
	case c.Batch < 0 || c.Batch > maxBatch:
		return fmt.Errorf("batch %d: give 1 to %d keys a request", c.Batch, maxBatch)
	case c.Batch == 0:
		c.Batch = defaultBatch
	}
	if c.single {
		c.Batch = 1
	}
	c.timeout = defaultTimeout
	if c.Timeout != "" {
		d, err := time.ParseDuration(c.Timeout)
		if err != nil || d <= 0 || d > maxTimeout {
			return fmt.Errorf("timeout %q: give a duration up to %s, e.g. 10s", c.Timeout, maxTimeout)
		}
		c.timeout = d
	}
	return nil
}

// token reports whether s is an RFC 9110 token: a method or header name.
func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// request builds the purge request for keys.
func (c *Config) request(ctx context.Context, keys []string) (*http.Request, error) {
	js, _ := json.Marshal(keys)
	fill := func(s string, esc func(string) string) string {
		if c.single {
			return strings.ReplaceAll(s, "{key}", esc(keys[0]))
		}
		return strings.NewReplacer(
			"{keys}", esc(strings.Join(keys, " ")),
			"{keys_comma}", esc(strings.Join(keys, ",")),
			"{keys_json}", esc(string(js)),
		).Replace(s)
	}
	same := func(s string) string { return s }
	var body io.Reader
	if c.Body != "" {
		body = strings.NewReader(fill(c.Body, same))
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, fill(c.URL, url.PathEscape), body)
	if err != nil {
		return nil, err
	}
	for k, v := range c.Headers {
		req.Header.Set(k, fill(v, same))
	}
	return req, nil
}

// Purger purges the CDN's copies of the pages each change touches. It
// follows the change log with a cursor of its own in the store, so a purge
// that fails, or a server that stops before it was made, is made later:
// the CDN may keep a page for as long as it is told to (Surrogate-Control),
// and only a purge replaces it sooner.
type Purger struct {
	cfg    *Config
	client *http.Client
	f      *changelog.Follower
	deps   func(kolokol.Change) []string
	log    *slog.Logger
	wake   chan struct{}

	// Retry is the first wait after a failed purge, doubled up to
	// MaxRetry.
	Retry, MaxRetry time.Duration
}

// FollowerName is the purger's cursor in the change log.
const FollowerName = "cdn-purge"

// NewPurger returns a purger of the keys of deps(change) for each change
// in log. Run it; wake it with its Consumer.
func NewPurger(log kolokol.Changes, cfg *Config, deps func(kolokol.Change) []string, lg *slog.Logger) *Purger {
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	p := &Purger{cfg: cfg, deps: deps, log: lg, wake: make(chan struct{}, 1),
		Retry: time.Second, MaxRetry: time.Minute,
		client: &http.Client{
			Timeout: cfg.timeout,
			// A redirect would carry the token's header to wherever it
			// points; the purge endpoint is given exactly.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
	p.f = changelog.New(log, FollowerName, changelog.Consumer{Apply: p.apply, Rebuild: p.rebuild}, lg)
	return p
}

// Consumer wakes the purger: put it on the process's change-log hub, so
// that a purge starts as soon as a change commits, without the editor's
// request waiting for the CDN.
func (p *Purger) Consumer() changelog.Consumer {
	return changelog.Consumer{Apply: func(context.Context, []*kolokol.Change) error {
		select {
		case p.wake <- struct{}{}:
		default:
		}
		return nil
	}}
}

// Run purges what the change log holds past the purger's stored cursor, then
// again each time it is woken, until ctx ends. A failed purge is retried
// after Retry, doubling up to MaxRetry.
func (p *Purger) Run(ctx context.Context) {
	// Another server may have purged while this one did not run: start
	// from the stored cursor.
	p.f.Restart()
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		_, err := p.f.CatchUp(ctx)
		if err == nil || ctx.Err() != nil {
			backoff = 0
			select {
			case <-ctx.Done():
			case <-p.wake:
			}
			continue
		}
		// While the CDN fails, a wake (another publish) does not hasten
		// the next try: it stays pending, and the retry takes its change.
		backoff = min(max(2*backoff, p.Retry), p.MaxRetry)
		p.log.Warn("cdn purge failed; retrying", "in", backoff, "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// Cursor is the last change whose pages were purged.
func (p *Purger) Cursor() int64 { return p.f.Cursor() }

func (p *Purger) apply(ctx context.Context, cs []*kolokol.Change) error {
	var keys []string
	seen := map[string]bool{}
	for _, c := range cs {
		for _, d := range p.deps(*c) {
			if k := Key(d); !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return p.Purge(ctx, keys)
}

// rebuild purges the whole site: the purger has no cursor yet, or the
// changes it missed were pruned from the log.
func (p *Purger) rebuild(ctx context.Context) error {
	return p.Purge(ctx, []string{SiteKey})
}

// Purge sends the purge calls for keys, Batch keys a request, and stops at
// the first that fails.
func (p *Purger) Purge(ctx context.Context, keys []string) error {
	for len(keys) > 0 {
		n := min(len(keys), p.cfg.Batch)
		if err := p.send(ctx, keys[:n]); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

func (p *Purger) send(ctx context.Context, keys []string) error {
	req, err := p.cfg.request(ctx, keys)
	if err != nil {
		return fmt.Errorf("purge %d keys: %w", len(keys), err)
	}
	where := req.Method + " " + req.URL.Redacted()
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("purge %d keys: %w", len(keys), err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("purge %d keys: %s: %s: %q", len(keys), where, resp.Status, strings.TrimSpace(string(msg)))
	}
	p.log.Debug("cdn purged", "keys", len(keys), "status", resp.StatusCode)
	return nil
}
