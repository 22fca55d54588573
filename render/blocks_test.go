package render

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
)

// blockMedia stores a picture with 16:9 renditions in both formats, their
// keys made from seed.
func blockMedia(t *testing.T, f *fixture, seed int) *kolokol.Media {
	t.Helper()
	m := &kolokol.Media{Hash: fmt.Sprintf("%064x", seed), ContentType: "image/jpeg", Size: 5000, Width: 2560, Height: 1440, FocalX: .5, FocalY: .5,
		Renditions: blockRenditions(seed)}
	if err := f.store.CreateMedia(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

func blockRenditions(seed int) []kolokol.Rendition {
	var out []kolokol.Rendition
	for i, w := range []int{320, 640, 960} {
		for j, format := range []string{kolokol.FormatWebP, kolokol.FormatJPEG} {
			ext := map[string]string{kolokol.FormatWebP: ".webp", kolokol.FormatJPEG: ".jpg"}[format]
			out = append(out, kolokol.Rendition{Key: fmt.Sprintf("%060x%04d", seed, i*2+j+1) + ext, Ratio: kolokol.Ratio16x9,
				Format: format, Width: w, Height: w * 9 / 16, Size: 1000})
		}
	}
	return out
}

// hostile are values a block may hold that must reach readers as text.
const hostile = `<script>alert(1)</script> " onerror="alert(2)`

// blockBody is a body with one block of each kind, every value hostile.
func blockBody(photo, other, thumb int64) string {
	blocks := []*kolokol.Block{
		{Kind: kolokol.BlockPhoto, Pictures: []kolokol.Picture{{MediaID: photo, Alt: "Alt " + hostile, Caption: "Caption " + hostile, Credit: "Credit " + hostile}}},
		{Kind: kolokol.BlockGallery, Pictures: []kolokol.Picture{{MediaID: photo, Alt: "First"}, {MediaID: other, Alt: "Second", Caption: "Gallery caption"}}},
		{Kind: kolokol.BlockPullQuote, Quote: "Quote " + hostile, By: "By " + hostile},
		{Kind: kolokol.BlockFactBox, Title: "Facts " + hostile, Text: "- one [section](/ru/s/society/)\n- [bad](javascript:alert(3)) " + hostile},
		{Kind: kolokol.BlockEmbed, Embed: kolokol.Embed{URL: "https://t.me/channel/42?a=1&b=2", Provider: "telegram", Author: "Author " + hostile,
			Title: "Title " + hostile, Text: "Text " + hostile, Date: "2026-11-30", Thumbnail: thumb, ThumbnailAlt: "Thumb " + hostile}},
	}
	var b strings.Builder
	b.WriteString("First paragraph.\n\n")
	for _, bl := range blocks {
		b.WriteString(bl.Markdown() + "\n")
	}
	// Code that looks like a block stays code.
	b.WriteString("```go\nmedia: 1\n```\n\nLast paragraph.\n")
	return b.String()
}

// TestBlocksOnPages: every block on a story's page, left to right and
// right to left, drawn from our own media with every value escaped; the
// page depends on the media it shows and lists their files.
func TestBlocksOnPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	photo, other, thumb := blockMedia(t, f, 7), blockMedia(t, f, 8), blockMedia(t, f, 9)
	for _, c := range []struct {
		service, leave, date string
	}{
		{"ru", "Открыть в Telegram (вы покинете этот сайт)", "30 ноября 2026"},
		{"fa", "باز کردن در Telegram (از این سایت خارج می\u200cشوید)", "۹ آذر ۱۴۰۵"},
	} {
		t.Run(c.service, func(t *testing.T) {
			a := &kolokol.Article{Service: c.service, Headline: "Blocks " + c.service, Status: kolokol.StatusPublished, PublishedAt: published0,
				Body: blockBody(photo.ID, other.ID, thumb.ID)}
			a.Normalize()
			if err := f.store.CreateArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
			path, _ := url.PathUnescape(a.Path())
			p := f.build(t, path)
			body := string(p.Body)
			doc := parse(t, p.Body)
			main := first(t, doc, byTag("main"), "main")

			for _, bad := range []string{"<script>alert", `onerror="`, "javascript:", "```"} {
				if strings.Contains(body, bad) {
					t.Errorf("the page holds %q", bad)
				}
			}
			// Every picture is ours, under the page's way to the root.
			imgs := findAll(main, byTag("img"))
			if len(imgs) != 4 { // photo, two in the gallery, the card's
				t.Errorf("%d pictures in the body, want 4", len(imgs))
			}
			for _, n := range append(imgs, findAll(main, byTag("source"))...) {
				for _, k := range []string{"src", "srcset"} {
					if v, ok := attr(n, k); ok {
						for _, cand := range strings.Split(v, ", ") {
							if !strings.HasPrefix(cand, "../../../media/") {
								t.Errorf("%s %s=%q is not one of our files", n.Data, k, v)
							}
						}
					}
				}
				if n.Data == "img" {
					if alt, ok := attr(n, "alt"); !ok || alt == "" {
						t.Errorf("a picture has no alt text")
					}
				}
			}
			fig := first(t, main, byAttr("class", "photo"), "the photo's figure")
			if got := textOf(first(t, fig, byTag("figcaption"), "caption")); !strings.Contains(got, "Caption "+hostile) || !strings.Contains(got, "Credit "+hostile) {
				t.Errorf("photo caption %q", got)
			}
			if alt, _ := attr(first(t, fig, byTag("img"), "img"), "alt"); alt != "Alt "+hostile {
				t.Errorf("photo alt %q", alt)
			}
			if lis := findAll(first(t, main, byAttr("class", "gallery"), "gallery"), byTag("li")); len(lis) != 2 {
				t.Errorf("gallery of %d items", len(lis))
			}
			pq := first(t, main, byAttr("class", "pullquote"), "pull quote")
			if got := textOf(first(t, pq, byTag("blockquote"), "quote")); got != "Quote "+hostile {
				t.Errorf("pull quote %q", got)
			}
			if got := textOf(first(t, pq, byTag("figcaption"), "by")); got != "By "+hostile {
				t.Errorf("pull quote by %q", got)
			}
			box := first(t, main, byAttr("class", "factbox"), "fact box")
			if box.Data != "aside" || textOf(first(t, box, byTag("h2"), "fact box heading")) != "Facts "+hostile {
				t.Errorf("fact box %s", textOf(box))
			}
			if href, _ := attr(first(t, box, byTag("a"), "fact box link"), "href"); href != "../../../ru/s/society/" {
				t.Errorf("fact box link %q, want it relative to the page", href)
			}
			card := first(t, main, byAttr("class", "embed"), "card")
			link := first(t, card, byTag("a"), "card link")
			if href, _ := attr(link, "href"); href != "https://t.me/channel/42?a=1&b=2" {
				t.Errorf("card link %q", href)
			}
			if rel, _ := attr(link, "rel"); rel != "noopener noreferrer" {
				t.Errorf("card link rel %q", rel)
			}
			if got := textOf(link); got != c.leave {
				t.Errorf("card link says %q, want %q", got, c.leave)
			}
			tm := first(t, card, byTag("time"), "card date")
			if dt, _ := attr(tm, "datetime"); dt != "2026-11-30" || !strings.Contains(textOf(tm), c.date) {
				t.Errorf("card date %q %q, want %q", dt, textOf(tm), c.date)
			}
			if got := textOf(card); !strings.Contains(got, "Telegram") || !strings.Contains(got, "Author "+hostile) || !strings.Contains(got, "Text "+hostile) {
				t.Errorf("card %q", got)
			}
			if got := textOf(main); !strings.Contains(got, "Last paragraph.") || !strings.Contains(got, "media: 1") {
				t.Errorf("the text around the blocks or the code is lost: %q", got)
			}

			for _, m := range []*kolokol.Media{photo, other, thumb} {
				if !slices.Contains(p.Deps, mediaTag(m.ID)) {
					t.Errorf("the page does not depend on media %d: %v", m.ID, p.Deps)
				}
				for _, file := range pageMedia(m) {
					if !slices.Contains(p.Files, file) {
						t.Errorf("the page's files lack %s", file)
					}
				}
			}

			lite := f.build(t, liteArticlePath(a))
			lb := string(lite.Body)
			if strings.Contains(lb, "<img") || strings.Contains(lb, "<picture") {
				t.Errorf("the text-only page shows pictures")
			}
			for _, want := range []string{html.EscapeString("Caption " + hostile), html.EscapeString("Credit " + hostile), "Gallery caption", ">First<",
				html.EscapeString(c.leave), html.EscapeString("Quote " + hostile)} {
				if !strings.Contains(lb, want) {
					t.Errorf("the text-only page lacks %s", want)
				}
			}
		})
	}
}

// TestBlocksFollowMedia: a new crop of a picture shown in a body reaches
// the page, although the body did not change (the body cache is keyed by
// the media's renditions too); a picture that is gone leaves its block
// out and the page readable.
func TestBlocksFollowMedia(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	photo := blockMedia(t, f, 21)
	a := &kolokol.Article{Service: "ru", Headline: "Crop", Status: kolokol.StatusPublished, PublishedAt: published0,
		Body: "Text.\n\n" + (&kolokol.Block{Kind: kolokol.BlockPhoto, Pictures: []kolokol.Picture{{MediaID: photo.ID, Alt: "A pier"}}}).Markdown()}
	a.Normalize()
	if err := f.store.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	path, _ := url.PathUnescape(a.Path())
	before := string(f.build(t, path).Body)
	oldKey := photo.Renditions[1].Key
	if !strings.Contains(before, oldKey) {
		t.Fatalf("the page lacks rendition %s", oldKey)
	}
	if err := f.store.UpdateMediaFocal(ctx, photo.ID, .2, .3, blockRenditions(22)); err != nil {
		t.Fatal(err)
	}
	p := f.build(t, path)
	after := string(p.Body)
	if strings.Contains(after, oldKey) || !strings.Contains(after, blockRenditions(22)[1].Key) {
		t.Errorf("after a new crop the page still shows the old renditions")
	}
	if slices.Contains(p.Files, "/media/"+oldKey) || !slices.Contains(p.Files, "/media/"+blockRenditions(22)[1].Key) {
		t.Errorf("after a new crop the page's files are %v", p.Files)
	}
}

// TestBlockPolicy: whatever reaches the policy, a picture from another
// host, a path out of /media/ or a class of our own on another element
// does not survive it.
func TestBlockPolicy(t *testing.T) {
	p := bodyPolicy()
	for _, c := range []struct{ in, bad string }{
		{`<img src="https://evil.example/media/x.jpg" alt="x">`, "evil"},
		{`<img src="//evil.example/media/x.jpg" alt="x">`, "evil"},
		{`<img src="../../media/../../secret.jpg" alt="x">`, "secret"},
		{`<img src="../../img/x.jpg" alt="x">`, "img/x"},
		{`<img src="data:image/png;base64,AAAA" alt="x">`, "data:"},
		{`<img src="../media/a.jpg" srcset="https://evil.example/media/a.jpg 320w" alt="x">`, "evil"},
		{`<picture><source type="image/webp" srcset="../media/a.webp 320w, //evil.example/media/b.webp 640w"></picture>`, "evil"},
		{`<source type="text/html" srcset="../media/a.webp 320w">`, "text/html"},
		{`<img src="../media/a.jpg" alt="x" onerror="alert(1)" loading="eager">`, "onerror"},
		{`<figure class="photo evil">x</figure>`, "evil"},
		{`<p class="gallery">x</p>`, "gallery"},
		{`<a href="https://t.me/x" rel="opener">x</a>`, "opener\""},
		{`<time datetime="javascript:1">x</time>`, "javascript"},
		{`<aside class="factbox" style="x">x</aside>`, "style"},
	} {
		if out := p.Sanitize(c.in); strings.Contains(out, c.bad) {
			t.Errorf("%s became %s", c.in, out)
		}
	}
	for _, ok := range []string{
		`<img src="../../../media/abc.jpg" srcset="../../../media/a.jpg 320w, ../../../media/b.jpg 640w" sizes="` + bodySizes + `" alt="x" width="640" height="360" loading="lazy" decoding="async">`,
		`<img src="` + bodyRoot + `media/abc.jpg" alt="x">`,
		`<figure class="embed"><figcaption><cite>X</cite> <time datetime="2026-11-30">x</time></figcaption></figure>`,
	} {
		if out := p.Sanitize(ok); out != ok {
			t.Errorf("%s became %s", ok, out)
		}
	}
}

// TestBlocksInFeeds: feed readers get a body's pictures by absolute
// address and a card as its words and link.
func TestBlocksInFeeds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	photo := blockMedia(t, f, 31)
	a := &kolokol.Article{Service: "ru", Headline: "Feed blocks", Status: kolokol.StatusPublished, PublishedAt: published0.Add(1),
		Body: blockBody(photo.ID, photo.ID, photo.ID)}
	a.Normalize()
	if err := f.store.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	leave := html.EscapeString(i18n.For("ru").Tf(i18n.EmbedLeave, "Telegram"))
	for _, path := range []string{"/ru/feed.xml", "/ru/atom.xml", "/ru/feed.json"} {
		p := f.build(t, path)
		if p.Status != 200 {
			t.Fatalf("%s: %d", path, p.Status)
		}
		body := string(p.Body)
		if !strings.Contains(body, "Feed blocks") {
			t.Fatalf("%s lacks the story", path)
		}
		abs := testBase + "/media/" + photo.Renditions[3].Key
		if !strings.Contains(body, abs) && !strings.Contains(body, strings.ReplaceAll(abs, "/", `\/`)) {
			t.Errorf("%s lacks the picture's absolute address %s", path, abs)
		}
		if !strings.Contains(body, "t.me/channel/42") || (!strings.Contains(body, leave) && !strings.Contains(body, i18n.For("ru").Tf(i18n.EmbedLeave, "Telegram"))) {
			t.Errorf("%s lacks the card's link", path)
		}
		if !slices.Contains(p.Deps, mediaTag(photo.ID)) {
			t.Errorf("%s does not depend on media %d", path, photo.ID)
		}
	}
}

// TestBadBlockShowsNothing: a block that is not right (stored before
// blocks were checked) is left out of the page, the text around it kept;
// so is a block without a page to give it its media.
func TestBadBlockShowsNothing(t *testing.T) {
	m := newMarkdown()
	for _, src := range []string{
		"Before.\n\n```photo\nmedia: 1\n```\n\nAfter.",
		"Before.\n\n```embed\nurl: javascript:alert(1)\nprovider: x\n```\n\nAfter.",
		"Before.\n\n```pullquote\nquote: a\u202eb\n```\n\nAfter.",
		"Before.\n\n```photo\nmedia: 1\nalt: No page, no media\n```\n\nAfter.",
	} {
		got, err := m.render(src, "../", nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := "<p>Before.</p>\n<p>After.</p>\n"; string(got) != want {
			t.Errorf("%q rendered as %q, want %q", src, got, want)
		}
	}
}

// TestBlocksRenderedOnce: a body with pictures is converted once for all
// the pages that show it, each page's way to the root put in after, and
// gives what converting it for each page gives.
func TestBlocksRenderedOnce(t *testing.T) {
	m := newMarkdown()
	media := map[int64]*kolokol.Media{}
	for _, id := range []int64{3, 4, 5} {
		media[id] = &kolokol.Media{ID: id, Hash: fmt.Sprintf("%064x", id), ContentType: "image/jpeg", Width: 2560, Height: 1440, Renditions: blockRenditions(int(id))}
	}
	delete(media, 4) // a picture that is gone
	env := &blockEnv{media: media, l: i18n.For("fa-IR"), f: i18n.For("fa-IR").Formatter()}
	src := blockBody(3, 4, 5)
	for _, root := range []string{"../../../", "../../../../", "https://news.example.org/"} {
		got, err := m.page(src, root, env)
		if err != nil {
			t.Fatal(err)
		}
		want, err := m.render(src, root, env)
		if err != nil {
			t.Fatal(err)
		}
		if root[0] == '.' && got != want {
			t.Errorf("for %s the shared rendering differs:\n%s\nwant\n%s", root, got, want)
		}
		if !strings.Contains(string(got), root+"media/"+blockRenditions(3)[3].Key) {
			t.Errorf("for %s the picture is not under the root:\n%s", root, got)
		}
	}
	if len(m.bodies) != 1 {
		t.Errorf("%d renderings kept, want 1", len(m.bodies))
	}
	for _, r := range m.bodies {
		if !r.ok {
			t.Errorf("the shared rendering was refused: each page converts the body again")
		}
	}
}
