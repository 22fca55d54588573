package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// photoBlock writes a photo block showing media id.
func photoBlock(id int64) string {
	return (&kolokol.Block{Kind: kolokol.BlockPhoto, Pictures: []kolokol.Picture{{MediaID: id, Alt: "Паром у причала"}}}).Markdown()
}

// testArticleMedia checks that the store keeps which stories show which
// media (lead image and blocks of the body) with every write, and that
// ShowsMediaID reads it.
func testArticleMedia(t *testing.T, open Opener) {
	t.Run("ShowsMediaID", func(t *testing.T) {
		s := open(t)
		lead := newsroom(t, s)
		inline := createMedia(t, s, "inline photo")
		thumb := createMedia(t, s, "embed thumbnail")
		gallery := (&kolokol.Block{Kind: kolokol.BlockGallery, Pictures: []kolokol.Picture{
			{MediaID: inline.ID, Alt: "До шторма"}, {MediaID: thumb.ID, Alt: "После шторма"}}}).Markdown()
		embed := (&kolokol.Block{Kind: kolokol.BlockEmbed, Embed: kolokol.Embed{URL: "https://t.me/channel/42", Provider: "telegram",
			Thumbnail: thumb.ID, ThumbnailAlt: "Кадр из видео"}}).Markdown()
		bodies := []struct {
			lead int64
			body string
		}{
			0: {lead.ID, "Текст.\n\n" + photoBlock(inline.ID)},
			1: {0, gallery},
			// A block in a list item is a block too.
			2: {0, "- пункт\n\n" + indent(embed)},
			// Words that look like a media id are not one: a quote's, and
			// code's.
			3: {0, "```pullquote\nquote: media: " + fmt.Sprint(inline.ID) + "\n```\n"},
			4: {0, "```go\nmedia: " + fmt.Sprint(inline.ID) + "\n```\n"},
			5: {lead.ID, "Только главное фото."},
		}
		ids := make([]int64, len(bodies))
		for i, b := range bodies {
			a := newArticle("ru", fmt.Sprintf("Паром %d", i))
			a.Body = b.body
			if b.lead != 0 {
				a.LeadImage = &kolokol.LeadImage{MediaID: b.lead, Alt: "Паром"}
			}
			ids[i] = createArticle(t, s, a).ID
		}
		shows := func(id int64, want ...int) {
			t.Helper()
			var wantIDs []int64
			for _, i := range slices.Backward(want) { // newest first
				wantIDs = append(wantIDs, ids[i])
			}
			f := kolokol.ArticleFilter{ShowsMediaID: id}
			got, err := s.FindArticles(t.Context(), f)
			ok(t, err, "find articles %+v", f)
			var gotIDs []int64
			for _, a := range got {
				gotIDs = append(gotIDs, a.ID)
			}
			if !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("stories showing media %d: %v, want %v", id, gotIDs, wantIDs)
			}
			if n := countArticles(t, s, f); n != len(wantIDs) {
				t.Errorf("count of stories showing media %d: %d, want %d", id, n, len(wantIDs))
			}
		}
		shows(lead.ID, 0, 5)
		shows(inline.ID, 0, 1)
		shows(thumb.ID, 1, 2)

		// An edit that moves the pictures moves the rows.
		a := findArticle(t, s, ids[0])
		a.LeadImage = nil
		a.Body = "Текст.\n\n" + photoBlock(thumb.ID)
		ok(t, s.UpdateArticle(t.Context(), a), "update article %d", a.ID)
		shows(lead.ID, 5)
		shows(inline.ID, 1)
		shows(thumb.ID, 0, 1, 2)

		// A block naming no media refuses the write and leaves all as it was.
		before := countArticles(t, s, kolokol.ArticleFilter{})
		bad := newArticle("ru", "Нет такого фото")
		bad.Body = photoBlock(thumb.ID + inline.ID + lead.ID + 100)
		wantCode(t, s.CreateArticle(t.Context(), bad), kolokol.EINVALID, "body")
		if n := countArticles(t, s, kolokol.ArticleFilter{}); n != before {
			t.Errorf("a refused create left %d articles, want %d", n, before)
		}
		a = findArticle(t, s, ids[1])
		a.Body += "\n" + photoBlock(thumb.ID+inline.ID+lead.ID+100)
		wantCode(t, s.UpdateArticle(t.Context(), a), kolokol.EINVALID, "body")
		if got := findArticle(t, s, ids[1]); got.Body != gallery {
			t.Errorf("a refused update changed the body to %q", got.Body)
		}
		shows(inline.ID, 1)

		// Imported stories are indexed as created ones are.
		imp := newArticle("ru", "Импорт")
		imp.Body = photoBlock(inline.ID)
		ok(t, s.ImportArticles(t.Context(), []*kolokol.Article{imp}), "import an article showing media %d", inline.ID)
		ids = append(ids, imp.ID)
		shows(inline.ID, 1, len(ids)-1)
		badImp := newArticle("ru", "Импорт без фото")
		badImp.Body = photoBlock(thumb.ID + inline.ID + lead.ID + 100)
		wantCode(t, s.ImportArticles(t.Context(), []*kolokol.Article{badImp}), kolokol.EINVALID, "body")
	})
	t.Run("FindShownMedia", func(t *testing.T) {
		s := open(t)
		lead := newsroom(t, s)
		inline := createMedia(t, s, "inline photo")
		drafted := createMedia(t, s, "draft photo")
		faOnly := createMedia(t, s, "fa photo")
		for _, c := range []struct {
			service string
			status  kolokol.Status
			lead    int64
			body    string
		}{
			{"ru", kolokol.StatusPublished, lead.ID, "Текст."},
			{"ru", kolokol.StatusPublished, 0, photoBlock(inline.ID) + "\n" + photoBlock(lead.ID)},
			{"ru", kolokol.StatusDraft, 0, photoBlock(drafted.ID)},
			{"fa", kolokol.StatusPublished, 0, photoBlock(faOnly.ID)},
		} {
			a := newArticle(c.service, "Фото "+fmt.Sprint(c.lead, c.status))
			a.Status, a.Body = c.status, c.body
			if c.status == kolokol.StatusPublished {
				a.PublishedAt = at(26, 18, 30)
			}
			if c.lead != 0 {
				a.LeadImage = &kolokol.LeadImage{MediaID: c.lead, Alt: "Паром"}
			}
			createArticle(t, s, a)
		}
		for service, want := range map[string][]int64{"ru": {lead.ID, inline.ID}, "fa": {faOnly.ID}, "xx": nil} {
			got, err := s.FindShownMedia(t.Context(), service)
			ok(t, err, "find the media %s shows", service)
			if !slices.Equal(got, want) {
				t.Errorf("FindShownMedia(%s) = %v, want %v", service, got, want)
			}
		}
	})
}

// indent puts every line of s two spaces in, into a list item.
func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}
