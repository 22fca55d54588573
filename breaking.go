package kolokol

import (
	"net/url"
	"strings"
	"time"
)

// Breaking is a service's breaking-news banner: one short urgent line, shown
// across the service's pages until it is cleared or expires.
type Breaking struct {
	Service   string
	Text      string
	URL       string    // optional: a site path ("/ru/a/1-x/") or an absolute http(s) URL
	ExpiresAt time.Time // zero: until cleared
	CreatedAt time.Time
}

// Active reports whether the banner should be shown at now.
func (b *Breaking) Active(now time.Time) bool {
	return b != nil && (b.ExpiresAt.IsZero() || now.Before(b.ExpiresAt))
}

// Validate checks a banner before it is stored.
func (b *Breaking) Validate(now time.Time) error {
	b.Text = strings.TrimSpace(b.Text)
	b.URL = strings.TrimSpace(b.URL)
	if !ValidServiceCode(b.Service) {
		return FieldErrorf(EINVALID, "service", "invalid service code %q", b.Service)
	}
	if b.Text == "" {
		return FieldErrorf(EINVALID, "text", "breaking news text is required")
	}
	if err := checkText("text", b.Text, 280); err != nil {
		return err
	}
	if strings.ContainsAny(b.Text, "\r\n") {
		return FieldErrorf(EINVALID, "text", "breaking news text must be a single line")
	}
	if b.URL != "" && !SafeLink(b.URL) {
		return FieldErrorf(EINVALID, "url", "url must be a site path starting with / or an http(s) URL")
	}
	if !b.ExpiresAt.IsZero() && !b.ExpiresAt.After(now) {
		return FieldErrorf(EINVALID, "expires_at", "expires_at is in the past")
	}
	return nil
}

// SafeLink reports whether u is a link we are willing to put in a page: a
// root-relative path or an absolute http or https URL with a host.
func SafeLink(u string) bool {
	if len(u) > 2000 || strings.ContainsAny(u, " \t\r\n\\") {
		return false
	}
	if strings.HasPrefix(u, "/") {
		return !strings.HasPrefix(u, "//")
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}
