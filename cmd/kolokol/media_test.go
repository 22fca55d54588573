package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/kolokol/kolokol/media/mediatest"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"golang.org/x/image/webp"
)

// Strings planted in the test photo's metadata; none may reach a stored file.
const ()

type apiMedia struct {
	MediaID     int64  `json:"media_id"`
	ContentType string `json:"content_type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
	Focal       struct {
		X float64 `json:"x"`
		Y float64 `json:"y"`
	} `json:"focal"`
	Renditions []struct {
		URL    string `json:"url"`
		Ratio  string `json:"ratio"`
		Format string `json:"format"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
		Size   int64  `json:"size"`
	} `json:"renditions"`
	Suggestions *struct {
		Caption string `json:"caption"`
		Credit  string `json:"credit"`
		Creator string `json:"creator"`
	} `json:"suggestions"`
}

func (ta *testApp) upload(t testing.TB, token string, data []byte) apiMedia {
	t.Helper()
	return ta.uploadFor(t, token, "", data)
}

// uploadFor uploads a picture for a service ("": the token's only one).
func (ta *testApp) uploadFor(t testing.TB, token, service string, data []byte) apiMedia {
	t.Helper()
	body, ct := multipartBody(t, "file", "photo.jpg", data)
	path := "/api/v1/media"
	if service != "" {
		path += "?service=" + service
	}
	r := ta.do(t, "POST", path, token, body, "Content-Type", ct)
	if r.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var m apiMedia
	r.json(t, &m)
	return m
}

func TestMediaUploadStripsMetadata(t *testing.T) {
	ta := newTestApp(t)
	orig := mediatest.CameraJPEG(t, splitPhoto(800, 600), 1)
	sum := sha256.Sum256(orig)
	origHash := hex.EncodeToString(sum[:])

	m := ta.upload(t, ta.tokens["reporter-ru"], orig)
	if m.ContentType != "image/jpeg" || m.Width != 800 || m.Height != 600 || m.Focal.X != 0.5 || m.Focal.Y != 0.5 {
		t.Fatalf("media %+v", m)
	}
	if strings.Contains(m.URL, origHash) {
		t.Fatal("the media URL names the upload's hash")
	}
	// XMP wins over IPTC where both say something.
	if s := m.Suggestions; s == nil || s.Caption != "XMP caption" || s.Credit != "XMP Credit Agency" || s.Creator != "XMP Photographer" {
		t.Errorf("suggestions %+v", s)
	}

	// No stored file carries a byte of the upload's metadata, nor is the
	// upload; nothing in the data directory names its hash.
	var blobs int
	err := filepath.WalkDir(ta.data, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(ta.data, path)
		if bytes.Contains(b, []byte(origHash)) || strings.Contains(path, origHash) {
			t.Errorf("%s names the upload's hash", rel)
		}
		if !strings.HasPrefix(rel, "media"+string(filepath.Separator)) {
			return nil
		}
		blobs++
		if bytes.Equal(b, orig) {
			t.Errorf("%s is the upload itself", rel)
		}
		for _, bad := range []string{"Exif", "GPS", "xpacket", "Photoshop 3.0", "ICC_PROFILE", mediatest.SecretOwner, mediatest.SecretSerial, "KolokolCam"} {
			if bytes.Contains(b, []byte(bad)) {
				t.Errorf("%s contains %q", rel, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The demo photo's files and this upload's master and renditions.
	if blobs < 1+len(m.Renditions) {
		t.Errorf("%d files in media/, want at least %d", blobs, 1+len(m.Renditions))
	}

	// Every rendition is served, content-addressed, as what it says it is.
	if len(m.Renditions) == 0 {
		t.Fatal("no renditions")
	}
	ratios := map[string]bool{}
	for _, r := range m.Renditions {
		ratios[r.Ratio] = true
		got := ta.get(t, strings.TrimPrefix(r.URL, ta.srv.URL))
		want := map[string]string{"webp": "image/webp", "jpeg": "image/jpeg"}[r.Format]
		if got.status != 200 || got.header.Get("Content-Type") != want || want == "" {
			t.Errorf("%s: %d %q, want %q", r.URL, got.status, got.header.Get("Content-Type"), want)
			continue
		}
		sum := sha256.Sum256(got.body)
		if !strings.Contains(r.URL, "/media/"+hex.EncodeToString(sum[:])+".") || int64(len(got.body)) != r.Size {
			t.Errorf("%s: served %d bytes that do not match its name or size %d", r.URL, len(got.body), r.Size)
		}
		decode := jpeg.DecodeConfig
		if r.Format == "webp" {
			decode = webp.DecodeConfig
		}
		cfg, err := decode(bytes.NewReader(got.body))
		if err != nil || cfg.Width != r.Width || cfg.Height != r.Height {
			t.Errorf("%s: %dx%d (%v), listed as %dx%d", r.URL, cfg.Width, cfg.Height, err, r.Width, r.Height)
		}
	}
	for _, want := range []string{"16:9", "4:3", "1:1", "original"} {
		if !ratios[want] {
			t.Errorf("no %s renditions", want)
		}
	}

	// GET describes the media as the upload did, without suggestions.
	r := ta.api(t, "GET", fmt.Sprintf("/media/%d", m.MediaID), ta.tokens["editor-ru"], nil)
	var again apiMedia
	r.json(t, &again)
	if r.status != 200 || again.URL != m.URL || len(again.Renditions) != len(m.Renditions) || again.Suggestions != nil {
		t.Fatalf("get media: %d %s", r.status, r.body)
	}
	// The same upload again is the same media.
	if dup := ta.uploadFor(t, ta.admin, "ru", orig); dup.MediaID != m.MediaID {
		t.Errorf("a second upload of the same photo made media %d, not %d", dup.MediaID, m.MediaID)
	}
}

func TestMediaFocalPoint(t *testing.T) {
	ta := newTestApp(t)
	m := ta.uploadFor(t, ta.admin, "en", mediatest.CameraJPEG(t, splitPhoto(800, 600), 1))
	a := ta.create(t, ta.admin, map[string]any{"service": "en", "headline": "Red and blue", "body": "x",
		"lead_image": map[string]any{"media_id": m.MediaID, "alt": "A field, red on the left, blue on the right"}})
	p := ta.publish(t, ta.admin, a.ID)
	path := ta.path(p)
	if r := ta.get(t, path); r.status != 200 {
		t.Fatalf("article page: %d", r.status)
	}
	if !ta.Site.Cache().Has(path) {
		t.Fatal("the article page is not cached after a read")
	}
	redness := func(m apiMedia) int {
		t.Helper()
		for _, r := range m.Renditions {
			if r.Ratio == "1:1" && r.Format == "jpeg" {
				img, err := jpeg.Decode(bytes.NewReader(ta.get(t, strings.TrimPrefix(r.URL, ta.srv.URL)).body))
				if err != nil {
					t.Fatal(err)
				}
				return meanRedMinusBlue(img)
			}
		}
		t.Fatal("no 1:1 JPEG rendition")
		return 0
	}
	centred := redness(m)

	// Only editors move the focal point, and only of pictures they may
	// see (of their services) whose stories they may edit.
	for _, c := range []struct {
		token  string
		body   any
		status int
		want   string
	}{
		{ta.tokens["reporter-ru"], map[string]any{"x": 0.1, "y": 0.9}, 403, "reporter"},
		{ta.tokens["editor-ru"], map[string]any{"x": 0.1, "y": 0.9}, 404, "no media"},
		{ta.admin, map[string]any{"x": 1.5, "y": 0.5}, 422, `"field": "x"`},
		{ta.admin, map[string]any{"x": 0.5, "y": -0.1}, 422, `"field": "y"`},
		{ta.admin, map[string]any{"x": 0.5}, 422, `"field": "y"`},
		{ta.admin, `{"x": "left", "y": 0}`, 400, "x"},
		{ta.admin, `{"x": 0, "y": 0, "z": 0}`, 400, "z"},
	} {
		r := ta.api(t, "PUT", fmt.Sprintf("/media/%d/focal", m.MediaID), c.token, c.body)
		if r.status != c.status || !strings.Contains(string(r.body), c.want) {
			t.Errorf("PUT focal %v: %d %s; want %d with %s", c.body, r.status, r.body, c.status, c.want)
		}
	}
	if !ta.Site.Cache().Has(path) {
		t.Fatal("a refused focal point change invalidated the page")
	}

	r := ta.api(t, "PUT", fmt.Sprintf("/media/%d/focal", m.MediaID), ta.admin, map[string]any{"x": 0.1, "y": 0.9})
	if r.status != 200 {
		t.Fatalf("PUT focal: %d %s", r.status, r.body)
	}
	var moved apiMedia
	r.json(t, &moved)
	if moved.Focal.X != 0.1 || moved.Focal.Y != 0.9 || moved.URL != m.URL || len(moved.Renditions) != len(m.Renditions) {
		t.Fatalf("moved media %+v", moved)
	}
	if ta.Site.Cache().Has(path) {
		t.Error("the page of the story showing the picture is still cached")
	}
	// The crops follow the point: the square is now the red left of the
	// picture. (Every rendition is new: they are made from the master now,
	// no longer from the upload's own pixels.)
	sizes := map[string]string{}
	for _, r := range m.Renditions {
		sizes[fmt.Sprint(r.Ratio, r.Format, r.Width)] = fmt.Sprint(r.Width, "x", r.Height)
	}
	for _, r := range moved.Renditions {
		if got, want := fmt.Sprint(r.Width, "x", r.Height), sizes[fmt.Sprint(r.Ratio, r.Format, r.Width)]; got != want {
			t.Errorf("%s %s: %s after the change, %s before", r.Ratio, r.Format, got, want)
		}
		if got := ta.get(t, strings.TrimPrefix(r.URL, ta.srv.URL)); got.status != 200 {
			t.Errorf("%s: %d", r.URL, got.status)
		}
	}
	if left := redness(moved); left <= centred+40 {
		t.Errorf("the square crop is not on the red left: red-blue %d, centred %d", left, centred)
	}
	if r := ta.get(t, path); r.status != 200 {
		t.Fatalf("article page after the change: %d", r.status)
	}

	// The store has it: GET shows the new point and renditions.
	r = ta.api(t, "GET", fmt.Sprintf("/media/%d", m.MediaID), ta.admin, nil)
	var got apiMedia
	r.json(t, &got)
	if r.status != 200 || got.Focal != moved.Focal || fmt.Sprint(got.Renditions) != fmt.Sprint(moved.Renditions) {
		t.Fatalf("get media after the change: %d %s", r.status, r.body)
	}

	// Media stored before renditions has no master to crop from.
	old := &kolokol.Media{Hash: strings.Repeat("0f", 32), ContentType: "image/png", Size: 10, Width: 64, Height: 36, FocalX: 0.5, FocalY: 0.5}
	if err := ta.Store.CreateMedia(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path   string
		status int
		want   string
	}{
		{fmt.Sprintf("/media/%d/focal", old.ID), 422, "upload the picture again"},
		{"/media/99999/focal", 404, "99999"},
		{"/media/abc/focal", 404, "no media"},
	} {
		if r := ta.api(t, "PUT", c.path, ta.admin, map[string]any{"x": 0.2, "y": 0.2}); r.status != c.status || !strings.Contains(string(r.body), c.want) {
			t.Errorf("PUT %s: %d %s", c.path, r.status, r.body)
		}
	}
	if r := ta.api(t, "GET", "/media/99999", ta.admin, nil); r.status != 404 {
		t.Errorf("GET unknown media: %d %s", r.status, r.body)
	}
}

func TestAPIAltRepeatsCaption(t *testing.T) {
	ta := newTestApp(t)
	const warning = "alt text repeats the caption: describe what the picture shows"
	img := ta.uploadFor(t, ta.admin, "en", pngFile(t, 64, 36))
	create := func(alt, caption string) (apiArticle, string) {
		r := ta.api(t, "POST", "/articles", ta.admin, map[string]any{"service": "en", "headline": "Squares", "body": "x",
			"lead_image": map[string]any{"media_id": img.MediaID, "alt": alt, "caption": caption}})
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		var a apiArticle
		r.json(t, &a)
		return a, string(r.body)
	}
	a, body := create("Grey squares, today", "Grey squares today.")
	if !strings.Contains(body, `"warnings": [`) || !strings.Contains(body, warning) {
		t.Errorf("create with alt repeating the caption: no warning in %s", body)
	}
	if _, body := create("A grid of grey squares on black", "Squares, today."); strings.Contains(body, "warnings") {
		t.Errorf("create with a real description warns: %s", body)
	}
	r := ta.api(t, "PATCH", fmt.Sprintf("/articles/%d", a.ID), ta.admin, map[string]any{"version": a.Version,
		"lead_image": map[string]any{"media_id": img.MediaID, "alt": "A grid of grey squares", "caption": "Grey squares today."}})
	if r.status != 200 || strings.Contains(string(r.body), "warnings") {
		t.Errorf("patch fixing the alt: %d %s", r.status, r.body)
	}
	r = ta.api(t, "PATCH", fmt.Sprintf("/articles/%d", a.ID), ta.admin, map[string]any{"version": a.Version + 1,
		"lead_image": map[string]any{"media_id": img.MediaID, "alt": "GREY SQUARES TODAY", "caption": "Grey squares today."}})
	if r.status != 200 || !strings.Contains(string(r.body), warning) {
		t.Errorf("patch repeating the caption: %d %s", r.status, r.body)
	}
	// A warning is not an error: the story publishes.
	if p := ta.publish(t, ta.admin, a.ID); p.Status != "published" {
		t.Errorf("publish: %+v", p)
	}
}

// splitPhoto is red on its left half and blue on its right, with texture,
// so a test can tell which part of it a crop kept.
func splitPhoto(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			n := uint8((x*7 + y*13 + (x*y)%17) % 40)
			c := color.RGBA{200 + n/2, 40 + n, 40, 255}
			if x >= w/2 {
				c = color.RGBA{40, 40 + n, 200 + n/2, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

func meanRedMinusBlue(m image.Image) int {
	var sum, n int
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, _, bl, _ := m.At(x, y).RGBA()
			sum += int(r>>8) - int(bl>>8)
			n++
		}
	}
	return sum / n
}
