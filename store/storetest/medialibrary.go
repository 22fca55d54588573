package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// testMediaLibrary: a service's library is what it uploaded or was given
// and the pictures its stories show, newest first, searchable by name,
// alt text, caption and credit in any case; its texts are edited whole.
func testMediaLibrary(t *testing.T, open Opener) {
	setup := func(t *testing.T) kolokol.Store {
		s := open(t)
		for _, code := range []string{"ru", "fa", "en"} {
			createService(t, s, code)
		}
		return s
	}
	upload := func(t *testing.T, s kolokol.Store, content, service string, texts ...string) *kolokol.Media {
		t.Helper()
		m := newMedia(content, 0.5, 0.5, renditions(content, 1))
		m.Services = []string{service}
		m.UploadedBy = "Анна"
		if len(texts) == 4 {
			m.Name, m.Alt, m.Caption, m.Credit = texts[0], texts[1], texts[2], texts[3]
		}
		ok(t, s.CreateMedia(t.Context(), m), "upload %s for %s", content, service)
		return m
	}
	ids := func(list []*kolokol.Media) []int64 {
		var out []int64
		for _, m := range list {
			out = append(out, m.ID)
		}
		return out
	}
	t.Run("KeepsTexts", func(t *testing.T) {
		s := setup(t)
		m := upload(t, s, "kremlin", "ru", "Кремль.jpg", "Стены Кремля зимой", "Москва, 1 декабря", "Reuters")
		got, err := s.FindMediaByID(t.Context(), m.ID)
		ok(t, err, "find media")
		same(t, "stored media", got, m)
		if got.Name != "Кремль.jpg" || got.UploadedBy != "Анна" || got.Credit != "Reuters" {
			t.Errorf("name, uploader, credit = %q, %q, %q", got.Name, got.UploadedBy, got.Credit)
		}
	})
	t.Run("Visible", func(t *testing.T) {
		s := setup(t)
		ru1 := upload(t, s, "ru one", "ru")
		fa1 := upload(t, s, "fa one", "fa")
		ru2 := upload(t, s, "ru two", "ru")
		shown := upload(t, s, "en shown by fa", "en")
		a := newArticle("fa", "خبر")
		a.LeadImage = &kolokol.LeadImage{MediaID: shown.ID, Alt: "عکس"}
		createArticle(t, s, a)
		// A picture in a block of a story's body is the story's too.
		inline := upload(t, s, "en shown inline by ru", "en")
		r := newArticle("ru", "Новость")
		r.Body = fmt.Sprintf("Текст.\n\n```photo\nmedia: %d\nalt: Фото\n```\n", inline.ID)
		createArticle(t, s, r)
		// A second service uploading the same picture is given it.
		again := newMedia("ru one", 0.5, 0.5, nil)
		again.Services = []string{"fa"}
		ok(t, s.CreateMedia(t.Context(), again), "upload ru's picture for fa")

		for _, c := range []struct {
			service string
			want    []int64
		}{
			{"ru", []int64{inline.ID, ru2.ID, ru1.ID}},
			{"fa", []int64{shown.ID, fa1.ID, ru1.ID}},
			{"en", []int64{inline.ID, shown.ID}},
		} {
			list, total, err := s.FindMedia(t.Context(), kolokol.MediaFilter{Service: c.service})
			ok(t, err, "find media of %s", c.service)
			if got := ids(list); !slices.Equal(got, c.want) || total != len(c.want) {
				t.Errorf("library of %s = %v (total %d), want %v", c.service, got, total, c.want)
			}
		}
		list, _, err := s.FindMedia(t.Context(), kolokol.MediaFilter{Service: "ru"})
		ok(t, err, "find media of ru")
		same(t, "listed media", list[2], func() *kolokol.Media {
			m, err := s.FindMediaByID(t.Context(), ru1.ID)
			ok(t, err, "find media")
			return m
		}())
	})
	t.Run("Search", func(t *testing.T) {
		s := setup(t)
		a := upload(t, s, "a", "ru", "IMG_0001.JPG", "Стены Кремля", "Москва", "Reuters")
		b := upload(t, s, "b", "ru", "protest.jpg", "Люди на площади", "Митинг в МОСКВЕ", "AP")
		c := upload(t, s, "c", "ru", "100%_sure.jpg", "", "", "")
		upload(t, s, "d", "fa", "tehran.jpg", "Moscow", "", "")
		for _, c := range []struct {
			q    string
			want []int64
		}{
			{"москв", []int64{b.ID, a.ID}},    // caption, folded beyond ASCII
			{"img_0001", []int64{a.ID}},       // name
			{"REUTERS", []int64{a.ID}},        // credit
			{"кремля", []int64{a.ID}},         // alt
			{"%", []int64{c.ID}},              // a literal percent sign
			{"_", []int64{c.ID, a.ID}},        // a literal underscore
			{"Moscow", nil},                   // fa's, not ru's
			{"Кремля\nМосква", nil},           // never across two texts
			{"стены   кремля", []int64{a.ID}}, // spaces as one
			{"  ", []int64{c.ID, b.ID, a.ID}},
		} {
			list, total, err := s.FindMedia(t.Context(), kolokol.MediaFilter{Service: "ru", Query: c.q})
			ok(t, err, "search %q", c.q)
			if got := ids(list); !slices.Equal(got, c.want) || total != len(c.want) {
				t.Errorf("search %q = %v (total %d), want %v", c.q, got, total, c.want)
			}
		}
		// The search follows an edit.
		ok(t, s.UpdateMediaText(t.Context(), c.ID, "Красная площадь", "", ""), "edit texts")
		list, _, err := s.FindMedia(t.Context(), kolokol.MediaFilter{Service: "ru", Query: "красная"})
		ok(t, err, "search edited")
		if got := ids(list); !slices.Equal(got, []int64{c.ID}) {
			t.Errorf("search after edit = %v, want [%d]", got, c.ID)
		}
	})
	t.Run("Pages", func(t *testing.T) {
		s := setup(t)
		var want []int64
		for i := range 7 {
			m := upload(t, s, fmt.Sprint("page ", i), "en")
			want = append([]int64{m.ID}, want...)
		}
		var got []int64
		for off := 0; off < 9; off += 3 {
			list, total, err := s.FindMedia(t.Context(), kolokol.MediaFilter{Service: "en", Limit: 3, Offset: off})
			ok(t, err, "page at %d", off)
			if total != 7 {
				t.Errorf("total = %d, want 7", total)
			}
			got = append(got, ids(list)...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages = %v, want %v", got, want)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		s := setup(t)
		_, _, err := s.FindMedia(t.Context(), kolokol.MediaFilter{Service: "../ru"})
		wantCode(t, err, kolokol.EINVALID, "service")
		_, _, err = s.FindMedia(t.Context(), kolokol.MediaFilter{Service: "ru", Offset: -1})
		wantCode(t, err, kolokol.EINVALID, "")

		m := upload(t, s, "kept", "ru", "kept.jpg", "alt", "caption", "credit")
		for _, c := range []struct {
			name, field          string
			alt, caption, credit string
		}{
			{"two lines", "caption", "alt", "one\ntwo", ""},
			{"bidi override", "alt", "a\u202eb", "", ""},
			{"too long", "credit", "alt", "", strings.Repeat("я", kolokol.MaxSummary+1)},
		} {
			wantCode(t, s.UpdateMediaText(t.Context(), m.ID, c.alt, c.caption, c.credit), kolokol.EINVALID, c.field)
		}
		wantCode(t, s.UpdateMediaText(t.Context(), m.ID+100, "a", "b", "c"), kolokol.ENOTFOUND, "")
		got, err := s.FindMediaByID(t.Context(), m.ID)
		ok(t, err, "find media")
		same(t, "media after refused edits", got, m)

		bad := newMedia("bad name", 0.5, 0.5, nil)
		bad.Name = "../../etc/passwd"
		wantCode(t, s.CreateMedia(t.Context(), bad), kolokol.EINVALID, "name")
	})
}
