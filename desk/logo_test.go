package desk

import (
	"slices"
	"testing"

	"github.com/kolokol/kolokol"
)

// SetLogo: admins of the service only; a drawing is kept as shapes and
// what it lost is named; a picture goes through the media pipeline; bad
// files are refused whole, leaving the logo as it was.
func TestSetLogo(t *testing.T) {
	f := newScoped(t)
	ctx := t.Context()
	const drawing = `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 20" onload="alert(1)"><script>alert(2)</script><rect width="100" height="20" fill="#8c1111"/></svg>`
	for _, c := range []struct {
		name  string
		actor kolokol.Actor
		code  string
		data  string
		err   string // the code the call must fail with, "" for none
		want  string // "svg", "picture" or "none" after the call
	}{
		{"an editor", ruEditor, "ru", drawing, kolokol.EFORBIDDEN, "none"},
		{"another service's admin", ruAdmin, "fa", drawing, kolokol.EFORBIDDEN, "none"},
		{"a drawing", ruAdmin, "ru", drawing, "", "svg"},
		{"a drawing with nothing to draw", ruAdmin, "ru", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>x</text></svg>`, kolokol.EINVALID, "svg"},
		{"an entity bomb", ruAdmin, "ru", `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>`, kolokol.EINVALID, "svg"},
		{"not a picture", ruAdmin, "ru", "GIF89a this is not a picture", kolokol.EINVALID, "svg"},
		{"a picture", globalAdmin, "ru", string(photo(t)), "", "picture"},
		{"removed", ruAdmin, "ru", "", "", "none"},
	} {
		var data []byte
		if c.data != "" {
			data = []byte(c.data)
		}
		_, dropped, err := f.SetLogo(ctx, c.actor, c.code, data)
		if got := kolokol.ErrorCode(err); err != nil && got != c.err || err == nil && c.err != "" {
			t.Fatalf("%s: error %v, want %s", c.name, err, c.err)
		}
		svc, err := f.store.FindServiceByCode(ctx, "ru")
		if err != nil {
			t.Fatal(err)
		}
		got := "none"
		switch {
		case svc.Logo.SVG != "":
			got = "svg"
		case svc.Logo.MediaID != 0:
			got = "picture"
		}
		if got != c.want {
			t.Errorf("%s: the logo is %s, want %s", c.name, got, c.want)
		}
		if c.name == "a drawing" {
			if svc.Logo.ViewBox != "0 0 100 20" || svc.Logo.SVG != `<rect width="100" height="20" fill="#8c1111"/>` {
				t.Errorf("stored drawing %q %q", svc.Logo.ViewBox, svc.Logo.SVG)
			}
			if !slices.Contains(dropped, "<script>") || !slices.Contains(dropped, "attribute onload") {
				t.Errorf("dropped %q, want the script and the onload named", dropped)
			}
		}
		if c.name == "a picture" {
			if m, err := f.store.FindMediaByID(ctx, svc.Logo.MediaID); err != nil || !slices.Contains(m.Services, "ru") {
				t.Errorf("the logo's picture: %v %v", m, err)
			}
		}
	}
	// The changes and the refusals are events; mistakes in a file are not.
	if n, d := len(f.entries(t, "service.logo")), len(f.entries(t, "service.logo.denied")); n != 3 || d != 2 {
		t.Errorf("%d audit entries of logos set and %d refused, want 3 and 2", n, d)
	}
}
