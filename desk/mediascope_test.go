package desk

import (
	"fmt"
	"image"
	"image/color"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media/mediatest"
)

func TestMediaVisible(t *testing.T) {
	tests := []struct {
		name              string
		actor             kolokol.Actor
		uploaded, showing []string
		want              bool
	}{
		{"global admin, media of no one", globalAdmin, nil, nil, true},
		{"global admin, media of ru", globalAdmin, []string{"ru"}, nil, true},
		{"ru editor, uploaded by ru", ruEditor, []string{"ru"}, nil, true},
		{"ru reporter, uploaded by ru and fa", ruReporter, []string{"fa", "ru"}, nil, true},
		{"ru editor, uploaded by fa", ruEditor, []string{"fa"}, nil, false},
		{"ru editor, uploaded by fa, shown by ru", ruEditor, []string{"fa"}, []string{"ru"}, true},
		{"ru editor, shown by fa and en", ruEditor, nil, []string{"fa", "en"}, false},
		{"ru editor, media of no one", ruEditor, nil, nil, false},
		{"ru admin, uploaded by fa", ruAdmin, []string{"fa"}, nil, false},
		{"ru and fa admin, uploaded by fa", ruFaAdmin, []string{"fa"}, nil, true},
		{"no one", kolokol.Actor{Name: "x"}, []string{"ru"}, []string{"ru"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mediaVisible(tt.actor, tt.uploaded, tt.showing); got != tt.want {
				t.Errorf("mediaVisible = %t, want %t", got, tt.want)
			}
		})
	}
}

// photo is a small picture, the same bytes every time.
func photo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 36))
	for x := range 64 {
		img.Set(x, x%36, color.RGBA{200, 30, 30, 255})
	}
	return mediatest.EncodePNG(t, img)
}

func (f *scoped) blobs(t *testing.T) int {
	t.Helper()
	n := 0
	root := filepath.Join(f.dir, "media")
	filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	return n
}

func TestUploadMediaService(t *testing.T) {
	f := newScoped(t)
	data := photo(t)
	for _, c := range []struct {
		name    string
		actor   kolokol.Actor
		service string
		code    string
		field   string
	}{
		{"global admin names none", globalAdmin, "", kolokol.EINVALID, "service"},
		{"admin of two names none", ruFaAdmin, "", kolokol.EINVALID, "service"},
		{"another service's", ruEditor, "fa", kolokol.EFORBIDDEN, "service"},
		{"no such service", globalAdmin, "zz", kolokol.EINVALID, "service"},
		{"anonymous", kolokol.Actor{}, "ru", kolokol.EUNAUTHORIZED, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := f.UploadMedia(t.Context(), c.actor, c.service, data)
			wantErr(t, err, c.code, c.field)
		})
	}
	if n := f.blobs(t); n != 0 {
		t.Errorf("refused uploads stored %d files", n)
	}
	if denied := f.entries(t, "media.upload.denied"); len(denied) != 2 || denied[1].Service != "fa" || denied[1].Actor != ruEditor.Name {
		t.Errorf("refused uploads audited as %+v", denied)
	}

	// One service: named or not, the picture is that service's.
	m, _, err := f.UploadMedia(t.Context(), ruEditor, "", data)
	if err != nil || len(m.Services) != 1 || m.Services[0] != "ru" {
		t.Fatalf("upload by the ru editor: %+v %v", m, err)
	}
	// The same picture from fa is the same media, now fa's too.
	again, _, err := f.UploadMedia(t.Context(), globalAdmin, "fa", data)
	if err != nil || again.ID != m.ID || len(again.Services) != 2 || again.Services[0] != "fa" || again.Services[1] != "ru" {
		t.Fatalf("the same picture for fa: %+v %v", again, err)
	}
	if _, err := f.Media(t.Context(), faEditor, m.ID); err != nil {
		t.Errorf("fa's editor cannot see the picture fa uploaded: %v", err)
	}
	if entries := f.entries(t, "media.upload"); len(entries) != 2 || entries[0].Service != "fa" || entries[1].Service != "ru" {
		t.Errorf("uploads audited as %+v", entries)
	}
}

// scopedPhotos makes a photo uploaded for ru, one of fa alone, and the id
// of none.
func scopedPhotos(t *testing.T, f *scoped) (ru, fa *kolokol.Media, missing int64) {
	t.Helper()
	ru, _, err := f.UploadMedia(t.Context(), ruEditor, "ru", photo(t))
	if err != nil {
		t.Fatal(err)
	}
	fa = &kolokol.Media{Hash: hashOf("fa photo"), ContentType: "image/jpeg", Size: 1, Width: 64, Height: 36,
		FocalX: 0.5, FocalY: 0.5, Services: []string{"fa"}}
	if err := f.store.CreateMedia(t.Context(), fa); err != nil {
		t.Fatal(err)
	}
	return ru, fa, fa.ID + 100
}

// TestMediaScope: a media is seen, cropped and put in stories only by
// those who work on a service that uploaded it or shows it; anyone else
// is answered as if it did not exist, and the attempt is audited.
func TestMediaScope(t *testing.T) {
	f := newScoped(t)
	ctx := t.Context()
	ruPhoto, faPhoto, missing := scopedPhotos(t, f)
	lead := func(id int64) *kolokol.LeadImage { return &kolokol.LeadImage{MediaID: id, Alt: "A red line"} }
	faStory, err := f.CreateArticle(ctx, faEditor, ArticleInput{Service: "fa", Headline: "Story", LeadImage: lead(faPhoto.ID)})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("see", func(t *testing.T) {
		for _, c := range []struct {
			actor kolokol.Actor
			id    int64
			ok    bool
		}{
			{ruEditor, ruPhoto.ID, true},
			{ruReporter, ruPhoto.ID, true},
			{globalAdmin, ruPhoto.ID, true},
			{ruFaAdmin, faPhoto.ID, true},
			{faEditor, ruPhoto.ID, false},
			{ruAdmin, faPhoto.ID, false},
			{faEditor, missing, false},
		} {
			m, err := f.Media(ctx, c.actor, c.id)
			if c.ok {
				if err != nil || m.ID != c.id {
					t.Errorf("%s sees media %d: %v", c.actor.Name, c.id, err)
				}
				continue
			}
			wantErr(t, err, kolokol.ENOTFOUND, "")
			if want := kolokol.Errorf(kolokol.ENOTFOUND, "there is no media %d", c.id).Message; kolokol.ErrorMessage(err) != want {
				t.Errorf("%s asks for media %d: %q, want what a missing media says: %q", c.actor.Name, c.id, kolokol.ErrorMessage(err), want)
			}
		}
		denied := f.entries(t, "media.view.denied")
		if len(denied) != 2 || denied[0].Actor != ruAdmin.Name || denied[0].Service != "fa" || denied[1].Actor != faEditor.Name || denied[1].Service != "ru" {
			t.Errorf("refused views audited as %+v", denied)
		}
	})

	t.Run("crop", func(t *testing.T) {
		_, err := f.SetFocalPoint(ctx, faEditor, ruPhoto.ID, 0.2, 0.2)
		wantErr(t, err, kolokol.ENOTFOUND, "")
		if denied := f.entries(t, "media.focal.denied"); len(denied) != 1 || denied[0].Actor != faEditor.Name {
			t.Errorf("a refused crop audited as %+v", denied)
		}
		if m, err := f.SetFocalPoint(ctx, ruEditor, ruPhoto.ID, 0.2, 0.2); err != nil || m.FocalX != 0.2 {
			t.Errorf("ru's editor crops ru's photo: %+v %v", m, err)
		}
	})

	t.Run("lead image", func(t *testing.T) {
		before, _ := f.store.CountArticles(ctx, kolokol.ArticleFilter{})
		_, errHidden := f.CreateArticle(ctx, faEditor, ArticleInput{Service: "fa", Headline: "Taken", LeadImage: lead(ruPhoto.ID)})
		wantErr(t, errHidden, kolokol.EINVALID, "lead_image.media_id")
		_, errMissing := f.CreateArticle(ctx, faEditor, ArticleInput{Service: "fa", Headline: "Taken", LeadImage: lead(missing)})
		wantErr(t, errMissing, kolokol.EINVALID, "lead_image.media_id")
		if after, _ := f.store.CountArticles(ctx, kolokol.ArticleFilter{}); after != before {
			t.Errorf("a refused story was stored")
		}
		if hidden, absent := kolokol.ErrorMessage(errHidden), kolokol.ErrorMessage(errMissing); strings.TrimSuffix(hidden, fmt.Sprint(ruPhoto.ID)) != strings.TrimSuffix(absent, fmt.Sprint(missing)) {
			t.Errorf("a hidden media is told apart from a missing one: %q, %q", hidden, absent)
		}
		ruLead := lead(ruPhoto.ID)
		_, err := f.UpdateArticle(ctx, faEditor, faStory.ID, ArticlePatch{Version: faStory.Version, LeadImage: &ruLead})
		wantErr(t, err, kolokol.EINVALID, "lead_image.media_id")
		for _, action := range []string{"article.create.denied", "article.update.denied"} {
			if denied := f.entries(t, action); len(denied) != 1 || denied[0].Service != "fa" || denied[0].Actor != faEditor.Name {
				t.Errorf("%s: %+v", action, denied)
			}
		}
		if a, _ := f.store.FindArticleByID(ctx, faStory.ID); a.LeadImage.MediaID != faPhoto.ID || a.Version != faStory.Version {
			t.Errorf("a refused edit changed the story: %+v", a.LeadImage)
		}
	})

	t.Run("shown by a story", func(t *testing.T) {
		// A global admin puts ru's photo in an fa story: fa's editor now
		// sees it, and may keep it while editing.
		both := lead(ruPhoto.ID)
		a, err := f.UpdateArticle(ctx, globalAdmin, faStory.ID, ArticlePatch{Version: faStory.Version, LeadImage: &both})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Media(ctx, faEditor, ruPhoto.ID); err != nil {
			t.Errorf("fa's editor cannot see the photo of an fa story: %v", err)
		}
		headline, same := "Story, edited", lead(ruPhoto.ID)
		if a, err = f.UpdateArticle(ctx, faEditor, faStory.ID, ArticlePatch{Version: a.Version, Headline: &headline, LeadImage: &same}); err != nil {
			t.Fatalf("fa's editor edits a story keeping its photo: %v", err)
		}
		// Back to fa's photo: ru's is no longer fa's to see or to put back
		// by hand, but restoring the revision that showed it brings it.
		back := lead(faPhoto.ID)
		if a, err = f.UpdateArticle(ctx, faEditor, faStory.ID, ArticlePatch{Version: a.Version, LeadImage: &back}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Media(ctx, faEditor, ruPhoto.ID); kolokol.ErrorCode(err) != kolokol.ENOTFOUND {
			t.Errorf("fa's editor sees ru's photo after the story dropped it: %v", err)
		}
		by := lead(ruPhoto.ID)
		_, err = f.UpdateArticle(ctx, faEditor, faStory.ID, ArticlePatch{Version: a.Version, LeadImage: &by})
		wantErr(t, err, kolokol.EINVALID, "lead_image.media_id")
		revs, err := f.Revisions(ctx, faEditor, faStory.ID)
		if err != nil {
			t.Fatal(err)
		}
		var withRu int64
		for _, r := range revs {
			if r.LeadImage != nil && r.LeadImage.MediaID == ruPhoto.ID {
				withRu = r.ID
				break
			}
		}
		restored, err := f.Restore(ctx, faEditor, faStory.ID, withRu, a.Version)
		if err != nil || restored.LeadImage.MediaID != ruPhoto.ID {
			t.Fatalf("restore the revision with ru's photo: %+v %v", restored, err)
		}
	})
}

func hashOf(s string) string { return kolokol.HashToken(s) }
