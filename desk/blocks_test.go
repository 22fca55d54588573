package desk

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func photoMD(id int64) string {
	return (&kolokol.Block{Kind: kolokol.BlockPhoto, Pictures: []kolokol.Picture{{MediaID: id, Alt: "A red line"}}}).Markdown()
}

func galleryMD(ids ...int64) string {
	b := &kolokol.Block{Kind: kolokol.BlockGallery}
	for _, id := range ids {
		b.Pictures = append(b.Pictures, kolokol.Picture{MediaID: id, Alt: "A red line"})
	}
	return b.Markdown()
}

func embedMD(thumb int64) string {
	return (&kolokol.Block{Kind: kolokol.BlockEmbed, Embed: kolokol.Embed{URL: "https://t.me/channel/42", Provider: "telegram",
		Thumbnail: thumb, ThumbnailAlt: "A frame of the video"}}).Markdown()
}

// TestBodyBlocks: every way a body is saved (create, edit, a merge of a
// stale edit, restore, a wire item opened) refuses a block that is not
// right, naming it, and a block showing a media the story's service may
// not use, as if the media did not exist; nothing is stored.
func TestBodyBlocks(t *testing.T) {
	f := newScoped(t)
	ctx := t.Context()
	ruPhoto, faPhoto, missing := scopedPhotos(t, f)
	faStory, err := f.CreateArticle(ctx, faEditor, ArticleInput{Service: "fa", Headline: "Story", Body: "Text.\n\n" + photoMD(faPhoto.ID)})
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		n, err := f.store.CountArticles(ctx, kolokol.ArticleFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	for _, c := range []struct {
		name string
		body string
		want string // in the message; "" when the body is right
	}{
		{"fa's photo", photoMD(faPhoto.ID), ""},
		{"code that looks like a block", "```go\nmedia: " + fmt.Sprint(ruPhoto.ID) + "\n```\n", ""},
		{"no alt", "```photo\nmedia: " + fmt.Sprint(faPhoto.ID) + "\n```\n", "block 1 of the body (photo): alt is required"},
		{"unknown key", "Text.\n\n```pullquote\nquote: Words\nonclick: x\n```\n", `block 1 of the body (pullquote): line 2: a pullquote block has no key "onclick"`},
		{"second block bad", photoMD(faPhoto.ID) + "\n```embed\nurl: https://evil.example/x\nprovider: x\n```\n", "block 2 of the body (embed): url:"},
		{"javascript url", "```embed\nurl: javascript:alert(1)\nprovider: x\n```\n", "block 1 of the body (embed): url: the address"},
		{"bidi override", "```pullquote\nquote: a\u202eb\n```\n", "block 1 of the body (pullquote)"},
		{"ru's photo", photoMD(ruPhoto.ID), fmt.Sprintf("block 1 of the body (photo): there is no media %d", ruPhoto.ID)},
		{"missing photo", photoMD(missing), fmt.Sprintf("block 1 of the body (photo): there is no media %d", missing)},
		{"ru's photo in a gallery", "Text.\n\n" + photoMD(faPhoto.ID) + "\n" + galleryMD(faPhoto.ID, ruPhoto.ID), fmt.Sprintf("block 2 of the body (gallery): there is no media %d", ruPhoto.ID)},
		{"ru's photo as a thumbnail", embedMD(ruPhoto.ID), fmt.Sprintf("block 1 of the body (embed): there is no media %d", ruPhoto.ID)},
		{"a block in a quote", "> " + strings.ReplaceAll(strings.TrimSuffix(photoMD(ruPhoto.ID), "\n"), "\n", "\n> ") + "\n", fmt.Sprintf("block 1 of the body (photo): there is no media %d", ruPhoto.ID)},
	} {
		t.Run(c.name, func(t *testing.T) {
			check := func(how string, err error) {
				t.Helper()
				if c.want == "" {
					if err != nil {
						t.Errorf("%s: %v", how, err)
					}
					return
				}
				if kolokol.ErrorCode(err) != kolokol.EINVALID || kolokol.ErrorField(err) != "body" || !strings.Contains(kolokol.ErrorMessage(err), c.want) {
					t.Errorf("%s: %v, want invalid body saying %q", how, err, c.want)
				}
			}
			before := count()
			a, err := f.CreateArticle(ctx, faEditor, ArticleInput{Service: "fa", Headline: "New " + c.name, Body: c.body})
			check("create", err)
			if c.want != "" && count() != before {
				t.Errorf("a refused story was stored")
			}
			if err == nil && a.Body != c.body {
				t.Errorf("stored body %q, want %q", a.Body, c.body)
			}
			cur, err := f.store.FindArticleByID(ctx, faStory.ID)
			if err != nil {
				t.Fatal(err)
			}
			body := c.body
			_, err = f.Edit(ctx, faEditor, faStory.ID, ArticlePatch{Version: cur.Version, Body: &body})
			check("edit", err)
			if c.want != "" {
				if after, _ := f.store.FindArticleByID(ctx, faStory.ID); after.Version != cur.Version || after.Body != cur.Body {
					t.Errorf("a refused edit changed the story to version %d: %q", after.Version, after.Body)
				}
				// A stale edit is merged with what was saved since, then
				// checked like any other.
				if cur.Version > 1 {
					_, err = f.Edit(ctx, faEditor, faStory.ID, ArticlePatch{Version: cur.Version - 1, Body: &body})
					if _, conflict := err.(*Conflict); !conflict {
						check("merged edit", err)
					}
				}
			} else if err == nil {
				// Back to what it was, for the next case.
				was := "Text.\n\n" + photoMD(faPhoto.ID)
				now, _ := f.store.FindArticleByID(ctx, faStory.ID)
				if _, err := f.Edit(ctx, faEditor, faStory.ID, ArticlePatch{Version: now.Version, Body: &was}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}

	denied := f.entries(t, "article.create.denied")
	if len(denied) == 0 || denied[0].Service != "fa" || denied[0].Actor != faEditor.Name {
		t.Errorf("a refused media in a body audited as %+v", denied)
	}

	t.Run("hidden reads as missing", func(t *testing.T) {
		_, errHidden := f.CreateArticle(ctx, faEditor, ArticleInput{Service: "fa", Headline: "H", Body: photoMD(ruPhoto.ID)})
		_, errMissing := f.CreateArticle(ctx, faEditor, ArticleInput{Service: "fa", Headline: "H", Body: photoMD(missing)})
		hidden := strings.TrimSuffix(kolokol.ErrorMessage(errHidden), fmt.Sprint(ruPhoto.ID))
		absent := strings.TrimSuffix(kolokol.ErrorMessage(errMissing), fmt.Sprint(missing))
		if hidden != absent || hidden == "" {
			t.Errorf("a hidden media is told apart from a missing one: %q, %q", hidden, absent)
		}
	})

	t.Run("kept and restored", func(t *testing.T) {
		// A global admin puts ru's photo in the fa story's body: fa's
		// editor may keep it while editing, and sees it.
		cur, _ := f.store.FindArticleByID(ctx, faStory.ID)
		withRu := "Text.\n\n" + galleryMD(faPhoto.ID, ruPhoto.ID)
		a, err := f.UpdateArticle(ctx, globalAdmin, faStory.ID, ArticlePatch{Version: cur.Version, Body: &withRu})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Media(ctx, faEditor, ruPhoto.ID); err != nil {
			t.Errorf("fa's editor cannot see the photo an fa story shows in its body: %v", err)
		}
		kept := withRu + "\nMore text.\n"
		if a, err = f.UpdateArticle(ctx, faEditor, faStory.ID, ArticlePatch{Version: a.Version, Body: &kept}); err != nil {
			t.Fatalf("fa's editor edits a story keeping the photo in its body: %v", err)
		}
		dropped := "Text."
		if a, err = f.UpdateArticle(ctx, faEditor, faStory.ID, ArticlePatch{Version: a.Version, Body: &dropped}); err != nil {
			t.Fatal(err)
		}
		_, err = f.UpdateArticle(ctx, faEditor, faStory.ID, ArticlePatch{Version: a.Version, Body: &withRu})
		wantErr(t, err, kolokol.EINVALID, "body")
		revs, err := f.Revisions(ctx, faEditor, faStory.ID)
		if err != nil {
			t.Fatal(err)
		}
		var rev int64
		for _, r := range revs {
			if strings.Contains(r.Body, "More text.") {
				rev = r.ID
			}
		}
		restored, err := f.Restore(ctx, faEditor, faStory.ID, rev, a.Version)
		if err != nil || !strings.Contains(restored.Body, "More text.") {
			t.Fatalf("restore the revision showing ru's photo: %v", err)
		}
	})

	t.Run("wire", func(t *testing.T) {
		// An agency's code named "photo" is code in the draft.
		item := ninjs("urn:r:blocks", "1", "Паром", `<p>Text.</p><pre><code class="language-photo">media: `+fmt.Sprint(faPhoto.ID)+"\nalt: x</code></pre>", time.Time{})
		res := f.Ingest(ctx, ruReporter, "ru", "blocks", item, nil)
		if res.Err != nil || len(res.Items) != 1 {
			t.Fatalf("ingest: %+v", res)
		}
		a, err := f.OpenWireItem(ctx, ruReporter, res.Items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(kolokol.FindBlocks(a.Body)) != 0 || !strings.Contains(a.Body, "```wire-photo") {
			t.Errorf("the wire's code became a block:\n%s", a.Body)
		}
	})
}

// TestPreviewBodyMedia: a preview of unsaved text refuses, as a save
// does, a block showing a picture the editor may not see, and lets a
// story keep the ones it shows.
func TestPreviewBodyMedia(t *testing.T) {
	f := newScoped(t)
	ctx := t.Context()
	ruPhoto, _, err := f.UploadMedia(ctx, ruEditor, "ru", photo(t))
	if err != nil {
		t.Fatal(err)
	}
	draft := &kolokol.Article{Service: "fa", Headline: "Draft", Body: photoMD(ruPhoto.ID)}
	wantErr(t, f.CheckBodyMedia(ctx, faEditor, draft, nil), kolokol.EINVALID, "body")
	if err := f.CheckBodyMedia(ctx, ruEditor, &kolokol.Article{Service: "ru", Headline: "Draft", Body: photoMD(ruPhoto.ID)}, nil); err != nil {
		t.Errorf("ru's editor previews ru's photo: %v", err)
	}
	stored, err := f.CreateArticle(ctx, globalAdmin, ArticleInput{Service: "fa", Headline: "Shown", Body: photoMD(ruPhoto.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CheckBodyMedia(ctx, faEditor, draft, stored); err != nil {
		t.Errorf("fa's editor previews the story keeping its photo: %v", err)
	}
}
