package storetest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

func testMedia(t *testing.T, open Opener) {
	t.Run("CreateAndFind", func(t *testing.T) {
		s := open(t)
		m := &kolokol.Media{Hash: hashOf("one"), ContentType: "image/webp", Size: 1 << 20, Width: 2048, Height: 1365}
		ok(t, s.CreateMedia(t.Context(), m), "create media")
		if m.ID <= 0 {
			t.Fatalf("ID = %d, want it set", m.ID)
		}
		stamped(t, "media CreatedAt", m.CreatedAt)
		got, err := s.FindMediaByID(t.Context(), m.ID)
		ok(t, err, "find media")
		same(t, "media", got, m)
	})
	t.Run("CreateWithRenditions", func(t *testing.T) {
		s := open(t)
		m := newMedia("master", 0.25, 0.75, renditions("a", 3))
		want := *m
		want.Renditions = append([]kolokol.Rendition(nil), m.Renditions...)
		ok(t, s.CreateMedia(t.Context(), m), "create media with renditions")
		want.ID, want.CreatedAt = m.ID, m.CreatedAt
		same(t, "created media", m, &want)
		got, err := s.FindMediaByID(t.Context(), m.ID)
		ok(t, err, "find media")
		same(t, "stored media", got, &want)
		// The store keeps its own copy: changing the caller's list later
		// changes nothing stored.
		m.Renditions[0].Width = 1
		got, err = s.FindMediaByID(t.Context(), m.ID)
		ok(t, err, "find media")
		same(t, "stored media after the caller's edit", got, &want)
	})
	t.Run("SameHashIsSameMedia", func(t *testing.T) {
		s := open(t)
		first := createMedia(t, s, "photo")
		again := &kolokol.Media{Hash: first.Hash, ContentType: "image/png", Size: 1, Width: 1, Height: 1}
		ok(t, s.CreateMedia(t.Context(), again), "create media with a known hash")
		same(t, "media of a known hash", again, first)
		other := createMedia(t, s, "another photo")
		if other.ID == first.ID {
			t.Errorf("different hashes share id %d", first.ID)
		}
		got, err := s.FindMediaByID(t.Context(), first.ID)
		ok(t, err, "find media")
		same(t, "stored media", got, first)
	})
	t.Run("SameHashKeepsItsRenditions", func(t *testing.T) {
		s := open(t)
		first := newMedia("master", 0.5, 0.5, renditions("first", 2))
		ok(t, s.CreateMedia(t.Context(), first), "create media")
		again := newMedia("master", 0.1, 0.9, renditions("second", 4))
		ok(t, s.CreateMedia(t.Context(), again), "create media with a known hash")
		same(t, "media of a known hash", again, first)
		got, err := s.FindMediaByID(t.Context(), first.ID)
		ok(t, err, "find media")
		same(t, "stored media", got, first)
	})
	t.Run("UpdateFocalReplacesRenditions", func(t *testing.T) {
		s := open(t)
		m := newMedia("master", 0.5, 0.5, renditions("centre", 3))
		ok(t, s.CreateMedia(t.Context(), m), "create media")
		other := newMedia("other", 0.5, 0.5, renditions("other", 2))
		ok(t, s.CreateMedia(t.Context(), other), "create other media")

		moved := renditions("left", 2)
		ok(t, s.UpdateMediaFocal(t.Context(), m.ID, 0.1, 0.3, moved), "update focal point")
		want := *m
		want.FocalX, want.FocalY, want.Renditions = 0.1, 0.3, moved
		got, err := s.FindMediaByID(t.Context(), m.ID)
		ok(t, err, "find media")
		same(t, "media after a focal update", got, &want)

		// The corners are within the picture; no renditions is a list too.
		ok(t, s.UpdateMediaFocal(t.Context(), m.ID, 1, 0, nil), "update focal point to a corner")
		want.FocalX, want.FocalY, want.Renditions = 1, 0, nil
		got, err = s.FindMediaByID(t.Context(), m.ID)
		ok(t, err, "find media")
		same(t, "media after a focal update without renditions", got, &want)

		got, err = s.FindMediaByID(t.Context(), other.ID)
		ok(t, err, "find other media")
		same(t, "other media", got, other)
	})
	t.Run("UpdateFocalRefused", func(t *testing.T) {
		s := open(t)
		m := newMedia("master", 0.4, 0.6, renditions("kept", 3))
		ok(t, s.CreateMedia(t.Context(), m), "create media")
		good := renditions("new", 2)
		for _, c := range []struct {
			name   string
			fx, fy float64
			r      []kolokol.Rendition
			field  string
		}{
			{"x below 0", -0.01, 0.5, good, "focal"},
			{"y above 1", 0.5, 1.01, good, "focal"},
			{"NaN", math.NaN(), 0.5, good, "focal"},
			{"infinite", 0.5, math.Inf(1), good, "focal"},
			{"short key", 0.5, 0.5, withRendition(good, 1, func(r *kolokol.Rendition) { r.Key = r.Key[1:] }), "renditions[1].key"},
			{"upper-case key", 0.5, 0.5, withRendition(good, 0, func(r *kolokol.Rendition) { r.Key = strings.ToUpper(r.Key[:64]) + ".jpg" }), "renditions[0].key"},
			{"path in key", 0.5, 0.5, withRendition(good, 0, func(r *kolokol.Rendition) { r.Key = "../" + r.Key[3:] }), "renditions[0].key"},
			{"png key", 0.5, 0.5, withRendition(good, 0, func(r *kolokol.Rendition) { r.Key = r.Key[:64] + ".png" }), "renditions[0].key"},
			{"key of another format", 0.5, 0.5, withRendition(good, 0, func(r *kolokol.Rendition) { r.Format = kolokol.FormatJPEG }), "renditions[0].key"},
			{"unknown format", 0.5, 0.5, withRendition(good, 0, func(r *kolokol.Rendition) { r.Format = "avif" }), "renditions[0].format"},
			{"unknown ratio", 0.5, 0.5, withRendition(good, 0, func(r *kolokol.Rendition) { r.Ratio = "wide" }), "renditions[0].ratio"},
			{"no width", 0.5, 0.5, withRendition(good, 0, func(r *kolokol.Rendition) { r.Width = 0 }), "renditions[0].width"},
			{"no size", 0.5, 0.5, withRendition(good, 0, func(r *kolokol.Rendition) { r.Size = 0 }), "renditions[0].size"},
			{"twice the same slot", 0.5, 0.5, withRendition(good, 2, func(r *kolokol.Rendition) { r.Width = good[0].Width }), "renditions[2]"},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantCode(t, s.UpdateMediaFocal(t.Context(), m.ID, c.fx, c.fy, c.r), kolokol.EINVALID, c.field)
				got, err := s.FindMediaByID(t.Context(), m.ID)
				ok(t, err, "find media")
				same(t, "media after a refused update", got, m)
			})
		}
		wantCode(t, s.UpdateMediaFocal(t.Context(), m.ID+100, 0.5, 0.5, good), kolokol.ENOTFOUND, "")
	})
	t.Run("CreateRefused", func(t *testing.T) {
		s := open(t)
		for _, c := range []struct {
			name  string
			edit  func(m *kolokol.Media)
			field string
		}{
			{"focal below 0", func(m *kolokol.Media) { m.FocalX = -1 }, "focal"},
			{"focal above 1", func(m *kolokol.Media) { m.FocalY = 2 }, "focal"},
			{"focal NaN", func(m *kolokol.Media) { m.FocalY = math.NaN() }, "focal"},
			{"bad key", func(m *kolokol.Media) { m.Renditions[2].Key = "x.jpg" }, "renditions[2].key"},
			{"twice the same slot", func(m *kolokol.Media) { m.Renditions[1] = m.Renditions[0] }, "renditions[1]"},
			{"not a hash", func(m *kolokol.Media) { m.Hash = "../../etc/passwd" }, "hash"},
		} {
			t.Run(c.name, func(t *testing.T) {
				m := newMedia("refused", 0.5, 0.5, renditions("refused", 3))
				c.edit(m)
				wantCode(t, s.CreateMedia(t.Context(), m), kolokol.EINVALID, c.field)
				if m.ID != 0 || !m.CreatedAt.IsZero() {
					t.Errorf("a refused create set ID %d, CreatedAt %v", m.ID, m.CreatedAt)
				}
			})
		}
		// Nothing was stored: the hash is new to the store.
		m := newMedia("refused", 0.5, 0.5, renditions("valid", 1))
		want := *m
		ok(t, s.CreateMedia(t.Context(), m), "create media after refusals")
		want.ID, want.CreatedAt = m.ID, m.CreatedAt
		got, err := s.FindMediaByID(t.Context(), m.ID)
		ok(t, err, "find media")
		same(t, "media created after refusals", got, &want)
	})
	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.FindMediaByID(t.Context(), 42)
		wantCode(t, err, kolokol.ENOTFOUND, "")
	})
	t.Run("NoHash", func(t *testing.T) {
		s := open(t)
		m := &kolokol.Media{ContentType: "image/jpeg", Size: 10}
		wantCode(t, s.CreateMedia(t.Context(), m), kolokol.EINVALID, "hash")
		if m.ID != 0 {
			t.Errorf("a refused create set ID %d", m.ID)
		}
	})
	t.Run("ArticlesByLeadMedia", func(t *testing.T) {
		s := open(t)
		lead := newsroom(t, s)
		other := createMedia(t, s, "other photo")
		var withLead []int64
		for i, c := range []struct {
			service string
			media   int64
		}{{"ru", lead.ID}, {"fa", lead.ID}, {"ru", other.ID}, {"ru", 0}, {"ru", lead.ID}} {
			a := newArticle(c.service, fmt.Sprintf("Снимок %d", i))
			if c.media != 0 {
				a.LeadImage = &kolokol.LeadImage{MediaID: c.media, Alt: "Описание снимка"}
			}
			createArticle(t, s, a)
			if c.media == lead.ID {
				withLead = append([]int64{a.ID}, withLead...) // newest first
			}
		}
		for _, c := range []struct {
			f    kolokol.ArticleFilter
			want []int64
		}{
			{kolokol.ArticleFilter{LeadMediaID: lead.ID}, withLead},
			{kolokol.ArticleFilter{LeadMediaID: lead.ID, Service: "ru"}, []int64{withLead[0], withLead[2]}},
			{kolokol.ArticleFilter{LeadMediaID: lead.ID, Limit: 1}, withLead[:1]},
			{kolokol.ArticleFilter{LeadMediaID: lead.ID + other.ID + 100}, nil},
		} {
			got, err := s.FindArticles(t.Context(), c.f)
			ok(t, err, "find articles %+v", c.f)
			var ids []int64
			for _, a := range got {
				ids = append(ids, a.ID)
				if a.LeadImage == nil || a.LeadImage.MediaID != lead.ID {
					t.Errorf("article %d does not show media %d: %+v", a.ID, lead.ID, a.LeadImage)
				}
			}
			if !slices.Equal(ids, c.want) {
				t.Errorf("FindArticles(%+v) = %v, want %v", c.f, ids, c.want)
			}
		}
		if n := countArticles(t, s, kolokol.ArticleFilter{LeadMediaID: lead.ID}); n != len(withLead) {
			t.Errorf("CountArticles by lead media = %d, want %d", n, len(withLead))
		}
	})
}

// newMedia returns a valid master with the given focal point and renditions.
func newMedia(content string, fx, fy float64, r []kolokol.Rendition) *kolokol.Media {
	return &kolokol.Media{Hash: hashOf(content), ContentType: "image/jpeg", Size: 123456, Width: 1920, Height: 1080,
		FocalX: fx, FocalY: fy, Renditions: r}
}

// renditions returns n widths of every ratio in both formats, in the order
// the media package makes them, with keys derived from seed.
func renditions(seed string, n int) []kolokol.Rendition {
	var out []kolokol.Rendition
	for _, ratio := range []struct {
		name string
		w, h int
	}{{kolokol.Ratio16x9, 16, 9}, {kolokol.Ratio4x3, 4, 3}, {kolokol.Ratio1x1, 1, 1}, {kolokol.RatioOriginal, 3, 2}} {
		for i := range n {
			w := 320 * (i + 1)
			for _, f := range []struct{ format, ext string }{{kolokol.FormatWebP, ".webp"}, {kolokol.FormatJPEG, ".jpg"}} {
				out = append(out, kolokol.Rendition{
					Key:   hashOf(fmt.Sprintf("%s %s %d %s", seed, ratio.name, w, f.format)) + f.ext,
					Ratio: ratio.name, Format: f.format, Width: w, Height: w * ratio.h / ratio.w,
					Size: int64(1000*(i+1) + len(f.ext)),
				})
			}
		}
	}
	return out
}

// withRendition returns a copy of rs with the i-th rendition edited.
func withRendition(rs []kolokol.Rendition, i int, edit func(*kolokol.Rendition)) []kolokol.Rendition {
	out := append([]kolokol.Rendition(nil), rs...)
	edit(&out[i])
	return out
}

func testTokens(t *testing.T, open Opener) {
	t.Run("CreateAndFind", func(t *testing.T) {
		s := open(t)
		for _, tok := range []*kolokol.Token{
			{Name: "Редактор Анна", Hash: hashOf("secret-1"), Role: kolokol.RoleEditor, Services: []string{"ru", "ka"}},
			{Name: "Wire ingest", Hash: hashOf("secret-2"), Role: kolokol.RoleReporter, Services: []string{"fa"}},
			{Name: "Администратор", Hash: hashOf("secret-3"), Role: kolokol.RoleAdmin},
		} {
			ok(t, s.CreateToken(t.Context(), tok), "create token %q", tok.Name)
			if tok.ID <= 0 {
				t.Fatalf("token %q: ID = %d, want it set", tok.Name, tok.ID)
			}
			stamped(t, "token CreatedAt", tok.CreatedAt)
			got, err := s.FindTokenByHash(t.Context(), tok.Hash)
			ok(t, err, "find token %q", tok.Name)
			same(t, "token", got, tok)
		}
	})
	t.Run("DuplicateHash", func(t *testing.T) {
		s := open(t)
		first := &kolokol.Token{Name: "first", Hash: hashOf("secret"), Role: kolokol.RoleAdmin}
		ok(t, s.CreateToken(t.Context(), first), "create token")
		dup := &kolokol.Token{Name: "second", Hash: first.Hash, Role: kolokol.RoleEditor, Services: []string{"ru"}}
		wantCode(t, s.CreateToken(t.Context(), dup), kolokol.ECONFLICT, "")
		got, err := s.FindTokenByHash(t.Context(), first.Hash)
		ok(t, err, "find token")
		same(t, "token after a refused duplicate", got, first)
	})
	t.Run("Invalid", func(t *testing.T) {
		s := open(t)
		for _, c := range []struct {
			tok   kolokol.Token
			field string
		}{
			{kolokol.Token{Name: " ", Hash: hashOf("a"), Role: kolokol.RoleAdmin}, "name"},
			{kolokol.Token{Name: "x", Hash: hashOf("b"), Role: "root"}, "role"},
			{kolokol.Token{Name: "x", Hash: hashOf("c"), Role: kolokol.RoleEditor}, "services"},
			{kolokol.Token{Name: "x", Hash: hashOf("d"), Role: kolokol.RoleEditor, Services: []string{"Русский"}}, "services"},
			{kolokol.Token{Name: "x", Hash: "", Role: kolokol.RoleAdmin}, "hash"},
		} {
			wantCode(t, s.CreateToken(t.Context(), &c.tok), kolokol.EINVALID, c.field)
			if c.tok.ID != 0 {
				t.Errorf("a refused token got ID %d", c.tok.ID)
			}
			_, err := s.FindTokenByHash(t.Context(), c.tok.Hash)
			wantCode(t, err, kolokol.ENOTFOUND, "")
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.FindTokenByHash(t.Context(), hashOf("nobody"))
		wantCode(t, err, kolokol.ENOTFOUND, "")
	})
}
