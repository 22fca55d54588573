package render

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func TestPlainArticle(t *testing.T) {
	f := newFixture(t)
	b := f.builder(t, func() time.Time { return f.breaking.ExpiresAt.Add(time.Second) })
	p, err := b.Build(context.Background(), raw(t, f.plain.Path()))
	if err != nil || p.Status != 200 {
		t.Fatalf("%v %v", p, err)
	}
	doc := parse(t, p.Body)
	for _, class := range []string{"summary", "byline", "dateline", "credits", "corrections", "tags", "breaking"} {
		if len(findAll(doc, byAttr("class", class))) > 0 {
			t.Errorf("empty %s rendered", class)
		}
	}
	if len(findAll(doc, byTag("figure"))) > 0 || len(findAll(doc, byAttr("property", "og:image"))) > 0 {
		t.Error("figure or og:image without a lead image")
	}
	// Stored as published a moment after PublishedAt was set: no "Updated".
	if n := len(findAll(first(t, doc, byAttr("class", "meta"), "meta"), byTag("time"))); n != 1 {
		t.Errorf("%d times, want only published", n)
	}
	if !p.ExpiresAt.IsZero() {
		t.Errorf("ExpiresAt %v without a banner", p.ExpiresAt)
	}
}

func TestBreakingBanner(t *testing.T) {
	f := newFixture(t)
	exp := f.breaking.ExpiresAt
	for _, c := range []struct {
		now   time.Time
		shown bool
	}{
		{exp.Add(-time.Minute), true},
		{exp.Add(-time.Nanosecond), true},
		{exp, false},
		{exp.Add(time.Hour), false},
	} {
		b := f.builder(t, func() time.Time { return c.now })
		for _, path := range []string{"/ru/", "/ru/s/world/", "/ru/archive/2/", raw(t, f.full.Path())} {
			p, err := b.Build(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			doc := parse(t, p.Body)
			banners := findAll(doc, byAttr("role", "status"))
			if (len(banners) == 1) != c.shown {
				t.Errorf("%s at expiry%+v: %d banners", path, c.now.Sub(exp), len(banners))
			}
			if c.shown && !p.ExpiresAt.Equal(exp) {
				t.Errorf("%s: ExpiresAt %v, want %v", path, p.ExpiresAt, exp)
			}
			if !c.shown && !p.ExpiresAt.IsZero() {
				t.Errorf("%s: ExpiresAt %v without a banner", path, p.ExpiresAt)
			}
			if c.shown {
				href, _ := attr(first(t, banners[0], byTag("a"), "banner link"), "href")
				if got := mustURL(t, testBase+path).ResolveReference(mustURL(t, href)).EscapedPath(); got != f.full.Path() {
					t.Errorf("%s: banner link resolves to %s", path, got)
				}
			}
		}
	}
	// A banner without an expiry never expires the page; no banner at all
	// leaves no trace.
	p := f.build(t, "/en/")
	if !p.ExpiresAt.IsZero() || len(findAll(parse(t, p.Body), byAttr("role", "status"))) != 1 {
		t.Errorf("en banner: ExpiresAt %v", p.ExpiresAt)
	}
	if p := f.build(t, "/ka/"); strings.Contains(string(p.Body), `role="status"`) {
		t.Error("banner on a service without one")
	}
}

func TestMissingMedia(t *testing.T) {
	f := newFixture(t)
	b, err := New(noMedia{f.store}, Options{BaseURL: testBase})
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.Build(context.Background(), raw(t, f.full.Path()))
	if err != nil || p.Status != 200 {
		t.Fatalf("%v %v", p, err)
	}
	if strings.Contains(string(p.Body), "<figure") {
		t.Error("figure for a missing photo")
	}
}

type noMedia struct{ kolokol.Store }

func (noMedia) FindMediaByID(context.Context, int64) (*kolokol.Media, error) {
	return nil, kolokol.Errorf(kolokol.ENOTFOUND, "no media")
}
