package render

import (
	"context"
	"fmt"
	"net/url"
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
