package render

import (
	"bytes"
	"slices"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// TestLinkRebuildsVersionPages: linking two published stories by choosing
// (desk.Link), and unlinking them, logs changes whose tags reach both
// stories' pages, and those pages change: the hreflang alternates and the
// "other languages" links come and go.
func TestLinkRebuildsVersionPages(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	d := desk.New(f.store, nil, nil, nil)
	admin := kolokol.Actor{Name: "admin@example.org", Role: kolokol.RoleAdmin}
	ru, fa := raw(t, f.full.Path()), raw(t, f.fa.Path())
	alternate := []byte(`<link rel="alternate" hreflang="fa-IR"`)

	step := func(what string, op func() error, linked bool) {
		t.Helper()
		_, seq, err := f.store.ChangeBounds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		before := map[string]*Page{ru: f.build(t, ru), fa: f.build(t, fa)}
		if err := op(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		cs, err := f.store.FindChanges(ctx, seq, 0)
		if err != nil {
			t.Fatal(err)
		}
		var tags []string
		for _, c := range cs {
			tags = append(tags, Deps(*c)...)
		}
		for path, old := range before {
			now := f.build(t, path)
			if bytes.Equal(old.Body, now.Body) {
				t.Errorf("%s: the page %s did not change", what, path)
			}
			if !slices.ContainsFunc(old.Deps, func(d string) bool { return slices.Contains(tags, d) }) {
				t.Errorf("%s: %s changed, but its deps %v meet none of the changes' %v", what, path, old.Deps, tags)
			}
			if path == ru && bytes.Contains(now.Body, alternate) != linked {
				t.Errorf("%s: the ru page has the fa alternate: %v, want %v", what, !linked, linked)
			}
		}
	}
	step("link", func() error { return d.Link(ctx, admin, f.full.ID, f.fa.ID) }, true)
	step("unlink", func() error { return d.Unlink(ctx, admin, f.fa.ID) }, false)
}
