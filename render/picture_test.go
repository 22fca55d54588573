package render

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

func TestLeadPicture(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := &kolokol.Media{Hash: strings.Repeat("cd", 32), ContentType: "image/jpeg", Size: 5000, Width: 2560, Height: 1920, FocalX: .5, FocalY: .5}
	for i, w := range []int{320, 640, 960} {
		for j, format := range []string{kolokol.FormatWebP, kolokol.FormatJPEG} {
			ext := map[string]string{kolokol.FormatWebP: ".webp", kolokol.FormatJPEG: ".jpg"}[format]
			m.Renditions = append(m.Renditions, kolokol.Rendition{Key: fmt.Sprintf("%064x", i*2+j+1) + ext, Ratio: kolokol.Ratio16x9,
				Format: format, Width: w, Height: w * 9 / 16, Size: 1000})
		}
	}
	if err := f.store.CreateMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	a := &kolokol.Article{Service: "ru", Headline: "С фотографией", Status: kolokol.StatusPublished, PublishedAt: published0,
		LeadImage: &kolokol.LeadImage{MediaID: m.ID, Alt: "Река", Caption: "Подпись"}}
	a.Normalize()
	if err := f.store.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	path, _ := url.PathUnescape(a.Path())
	body := string(f.build(t, path).Body)
	for _, want := range []string{
		`<picture><source type="image/webp" srcset="../../../media/` + fmt.Sprintf("%064x", 1) + `.webp 320w, `,
		`sizes="(min-width: 40rem) 38rem, calc(100vw - 2rem)"`,
		`<img src="../../../media/` + fmt.Sprintf("%064x", 4) + `.jpg" srcset="../../../media/` + fmt.Sprintf("%064x", 2) + `.jpg 320w, `,
		`960w" sizes=`,
		`width="640" height="360"`,
		`</picture>`,
		`<meta property="og:image" content="` + testBase + `/media/` + fmt.Sprintf("%064x", 6) + `.jpg">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("article page lacks %s", want)
		}
	}
}

func TestLiteEdition(t *testing.T) {
	f := newFixture(t)
	home := f.build(t, "/ru/lite/")
	if home.Status != 200 {
		t.Fatalf("lite home: %d", home.Status)
	}
	hb := string(home.Body)
	if !strings.Contains(hb, `href="a/`+strconv.FormatInt(f.full.ID, 10)+`-`) || !strings.Contains(hb, `<a href="../">Полная версия</a>`) {
		t.Errorf("lite home lacks lite links or the full-version link:\n%s", hb)
	}
	full, _ := url.PathUnescape(f.full.Path())
	lite := "/ru/lite/" + strings.TrimPrefix(full, "/ru/")
	p := f.build(t, lite)
	if p.Status != 200 {
		t.Fatalf("%s: %d", lite, p.Status)
	}
	body := string(p.Body)
	for _, bad := range []string{"<img", "<picture", "application/ld+json", "og:image", `id="nav"`} {
		if strings.Contains(body, bad) {
			t.Errorf("lite article carries %s", bad)
		}
	}
	for _, want := range []string{
		`<p class="photo"><a href="../../../../media/` + f.media.Hash + `.jpg">Показать фото (1 KB)</a> Площадь утром`,
		`>Полная версия</a>`,
		`<link rel="canonical" href="` + testBase + f.full.Path() + `">`,
		"Главная новость дня",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("lite article lacks %s", want)
		}
	}
	if !strings.Contains(strings.Join(p.Deps, " "), "art:"+strconv.FormatInt(f.full.ID, 10)) {
		t.Errorf("lite deps %v", p.Deps)
	}
	if r := f.build(t, "/ru/lite/a/"+strconv.FormatInt(f.full.ID, 10)+"/"); r.Status != 301 || !strings.HasPrefix(r.Location, "/ru/lite/a/") {
		t.Errorf("lite redirect: %d %q", r.Status, r.Location)
	}
	if r := f.build(t, "/ru/lite/s/world/"); r.Status != 404 {
		t.Errorf("unknown lite page: %d", r.Status)
	}
	fullPage := string(f.build(t, full).Body)
	if !strings.Contains(fullPage, `<p class="edition"><a href="../../lite/a/`) {
		t.Error("the full article does not link its lite edition")
	}
}
