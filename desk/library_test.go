package desk

import (
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media/mediatest"
)

// picture is a small JPEG of its own (seed changes its pixels, so its
// hash) carrying XMP metadata that says caption, credit and creator.
func picture(t *testing.T, seed int, caption, credit, creator string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 36))
	for x := range 64 {
		img.Set(x, (x+seed)%36, color.RGBA{uint8(seed * 40), 30, 200, 255})
	}
	return mediatest.WithSegments(mediatest.EncodeJPEG(t, img, 90),
		mediatest.Segment(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), mediatest.XMPPacket(caption, credit, creator)...)))
}

// TestUploadKeepsLibraryFields: an upload keeps its file's name, cleaned,
// who uploaded it, and the metadata's caption and credit as the media's
// defaults, made single lines.
func TestUploadKeepsLibraryFields(t *testing.T) {
	f := newScoped(t)
	for _, c := range []struct {
		name                  string
		file                  string
		caption, credit, cred string
		wantName              string
		wantCaption           string
		wantCredit            string
	}{
		{"plain", "kremlin.jpg", "Moscow, winter", "Reuters", "Ivan", "kremlin.jpg", "Moscow, winter", "Reuters"},
		{"a path, both slashes", `C:\Users\anna\Desktop/../secret/تهران.jpg`, "Tehran", "", "Photographer", "تهران.jpg", "Tehran", "Photographer"},
		{"dot dot", "..", "Line one\n  line two\tend", "AP", "", "", "Line one line two end", "AP"},
		{"controls and overrides", "a\x00b\u202ec\x1f.jpg", "x\u2066y\u202a", "", "", "abc.jpg", "x y", ""},
		{"long name", strings.Repeat("ж", 300) + ".jpg", "Long", "", "", strings.Repeat("ж", kolokol.MaxMediaName), "Long", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := picture(t, len(c.name), c.caption, c.credit, c.cred)
			m, _, err := f.UploadMediaFile(t.Context(), ruEditor, "ru", c.file, data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Media(t.Context(), ruEditor, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != c.wantName || got.Caption != c.wantCaption || got.Credit != c.wantCredit || got.Alt != "" || got.UploadedBy != ruEditor.Name {
				t.Errorf("name, caption, credit, alt, by = %q, %q, %q, %q, %q; want %q, %q, %q, \"\", %q",
					got.Name, got.Caption, got.Credit, got.Alt, got.UploadedBy, c.wantName, c.wantCaption, c.wantCredit, ruEditor.Name)
			}
		})
	}
}

func TestMediaLibrary(t *testing.T) {
	f := newScoped(t)
	ctx := t.Context()
	up := func(actor kolokol.Actor, service string, seed int, caption string) *kolokol.Media {
		t.Helper()
		m, _, err := f.UploadMediaFile(ctx, actor, service, "photo.jpg", picture(t, seed, caption, "", ""))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ru1 := up(ruEditor, "ru", 1, "Red Square")
	fa1 := up(faEditor, "fa", 2, "میدان آزادی")
	ru2 := up(ruEditor, "ru", 3, "Kremlin wall")

	for _, c := range []struct {
		name    string
		actor   kolokol.Actor
		service string
		query   string
		page    int
		want    []int64
		code    string
	}{
		{"ru editor, ru", ruEditor, "ru", "", 1, []int64{ru2.ID, ru1.ID}, ""},
		{"reporter sees the library", ruReporter, "ru", "", 1, []int64{ru2.ID, ru1.ID}, ""},
		{"search", ruEditor, "ru", "SQUARE", 1, []int64{ru1.ID}, ""},
		{"search in Persian", faEditor, "fa", "آزادی", 1, []int64{fa1.ID}, ""},
		{"global admin, fa", globalAdmin, "fa", "", 1, []int64{fa1.ID}, ""},
		{"admin of two, fa", ruFaAdmin, "fa", "", 1, []int64{fa1.ID}, ""},
		{"past the end", ruEditor, "ru", "", 2, nil, ""},
		{"another service", ruEditor, "fa", "", 1, nil, kolokol.EFORBIDDEN},
		{"no such service", globalAdmin, "zz", "", 1, nil, kolokol.ENOTFOUND},
		{"page zero", ruEditor, "ru", "", 0, nil, kolokol.EINVALID},
		{"anonymous", kolokol.Actor{}, "ru", "", 1, nil, kolokol.EUNAUTHORIZED},
	} {
		t.Run(c.name, func(t *testing.T) {
			lib, err := f.MediaLibrary(ctx, c.actor, c.service, c.query, c.page)
			if c.code != "" {
				wantErr(t, err, c.code, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, m := range lib.Media {
				got = append(got, m.ID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("library = %v, want %v", got, c.want)
			}
		})
	}

	t.Run("counts", func(t *testing.T) {
		for i := range 52 {
			up(ruEditor, "ru", 100+i, "")
		}
		for _, c := range []struct{ page, n, first, last, pages int }{{1, 50, 1, 50, 2}, {2, 4, 51, 54, 2}, {3, 0, 0, 100, 2}} {
			lib, err := f.MediaLibrary(ctx, ruEditor, "ru", "", c.page)
			if err != nil {
				t.Fatal(err)
			}
			if len(lib.Media) != c.n || lib.Total != 54 || lib.First() != c.first || lib.Pages() != c.pages || (c.n > 0 && lib.Last() != c.last) {
				t.Errorf("page %d: %d media, total %d, %d–%d of %d pages; want %d, 54, %d–%d of %d",
					c.page, len(lib.Media), lib.Total, lib.First(), lib.Last(), lib.Pages(), c.n, c.first, c.last, c.pages)
			}
		}
	})
}

func TestUpdateMediaText(t *testing.T) {
	f := newScoped(t)
	ctx := t.Context()
	m, _, err := f.UploadMediaFile(ctx, ruEditor, "ru", "wall.jpg", picture(t, 7, "Old caption", "Old credit", ""))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name                 string
		actor                kolokol.Actor
		id                   int64
		alt, caption, credit string
		code, field          string
	}{
		{"two lines", ruEditor, m.ID, "Alt", "One\nTwo", "", kolokol.EINVALID, "caption"},
		{"bidi override", ruEditor, m.ID, "A\u202eB", "", "", kolokol.EINVALID, "alt"},
		{"too long", ruEditor, m.ID, "", "", strings.Repeat("x", kolokol.MaxSummary+1), kolokol.EINVALID, "credit"},
		{"another service's", faEditor, m.ID, "Alt", "", "", kolokol.ENOTFOUND, ""},
		{"missing", ruEditor, m.ID + 100, "Alt", "", "", kolokol.ENOTFOUND, ""},
		{"anonymous", kolokol.Actor{}, m.ID, "Alt", "", "", kolokol.EUNAUTHORIZED, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.UpdateMediaText(ctx, c.actor, c.id, c.alt, c.caption, c.credit)
			wantErr(t, err, c.code, c.field)
		})
	}
	got, err := f.Media(ctx, ruEditor, m.ID)
	if err != nil || got.Alt != "" || got.Caption != "Old caption" || got.Credit != "Old credit" {
		t.Fatalf("refused edits changed the media: %+v %v", got, err)
	}
	// The anonymous attempt is audited too, as (unnamed).
	if denied := f.entries(t, "media.edit.denied"); len(denied) != 2 || denied[1].Actor != faEditor.Name {
		t.Errorf("refused edit audited as %+v", denied)
	}

	// A reporter of the service may describe it; trimmed; the audit names
	// what changed.
	got, err = f.UpdateMediaText(ctx, ruReporter, m.ID, "  A brick wall under snow ", "Old caption", "")
	if err != nil || got.Alt != "A brick wall under snow" || got.Credit != "" {
		t.Fatalf("reporter describes: %+v %v", got, err)
	}
	entries := f.entries(t, "media.edit")
	if len(entries) != 1 || entries[0].Actor != ruReporter.Name || entries[0].Service != "ru" || !strings.HasSuffix(entries[0].Detail, ": alt, credit") {
		t.Errorf("edit audited as %+v", entries)
	}
	// The same texts again change nothing and are not audited.
	if _, err := f.UpdateMediaText(ctx, ruEditor, m.ID, "A brick wall under snow", "Old caption", ""); err != nil {
		t.Fatal(err)
	}
	if n := len(f.entries(t, "media.edit")); n != 1 {
		t.Errorf("an edit that changed nothing was audited: %d entries", n)
	}
	// Uploading the same picture again keeps its texts.
	again, _, err := f.UploadMediaFile(ctx, ruEditor, "ru", "other.jpg", picture(t, 7, "Old caption", "Old credit", ""))
	if err != nil || again.ID != m.ID || again.Name != "wall.jpg" || again.Alt != "A brick wall under snow" {
		t.Errorf("the same picture again: %+v %v", again, err)
	}
}
