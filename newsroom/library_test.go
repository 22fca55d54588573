package newsroom

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/media/mediatest"
	"github.com/kolokol/kolokol/store/sqlite"
)

// libraryRig is a newsroom over a real SQLite file and media directory,
// with a Persian service and a Ukrainian one, an editor of both, and a
// reporter of Ukrainian only.
type libraryRig struct {
	t        *testing.T
	store    *sqlite.Store
	desk     *desk.Desk
	h        http.Handler
	editor   *kolokol.User
	reporter *kolokol.User
	cookie   string
}

func newLibraryRig(t *testing.T) *libraryRig {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := media.NewDir(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	images, err := media.NewProcessor(media.Options{Widths: []int{320, 640}, Ratios: []media.Ratio{media.RatioOriginal}})
	if err != nil {
		t.Fatal(err)
	}
	rig := &libraryRig{t: t, store: st}
	rig.desk = desk.New(st, blobs, images, time.Now)
	for _, s := range []*kolokol.Service{
		{Code: "fa", Tag: "fa-IR", Script: "Arab", Direction: kolokol.RTL, Name: "فارسی", EnglishName: "Persian", TimeZone: "Asia/Tehran"},
		{Code: "uk", Tag: "uk-UA", Script: "Cyrl", Direction: kolokol.LTR, Name: "Українська", EnglishName: "Ukrainian", TimeZone: "Europe/Kyiv"},
	} {
		if err := st.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	rig.editor = &kolokol.User{Email: "editor@example.org", Name: "Editor", Role: kolokol.RoleEditor, Services: []string{"fa", "uk"}}
	rig.reporter = &kolokol.User{Email: "reporter@example.org", Name: "Reporter", Role: kolokol.RoleReporter, Services: []string{"uk"}}
	for i, u := range []*kolokol.User{rig.editor, rig.reporter} {
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		real := time.Now()
		if err := st.CreateSession(ctx, &kolokol.Session{ID: kolokol.HashToken(strings.Repeat(string(rune('e'+i)), 43)), UserID: u.ID,
			CreatedAt: real, LastSeenAt: real, ExpiresAt: real.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	rig.as(rig.editor)
	n, err := New(st, rig.desk, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	n.Register(mux)
	rig.h = mux
	return rig
}

// as makes the rig's requests those of u.
func (rig *libraryRig) as(u *kolokol.User) {
	rig.cookie = strings.Repeat("e", 43)
	if u == rig.reporter {
		rig.cookie = strings.Repeat("f", 43)
	}
}

func (rig *libraryRig) send(req *http.Request) *httptest.ResponseRecorder {
	if rig.cookie != "" {
		req.AddCookie(&http.Cookie{Name: cookieName, Value: rig.cookie})
	}
	rec := httptest.NewRecorder()
	rig.h.ServeHTTP(rec, req)
	return rec
}

func (rig *libraryRig) get(path string) *httptest.ResponseRecorder {
	return rig.send(httptest.NewRequest("GET", path, nil))
}

func (rig *libraryRig) post(path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return rig.send(req)
}

// upload puts a picture of its own (seed) with caption in a service's
// library, as the editor.
func (rig *libraryRig) upload(service, name string, seed int, caption string) *kolokol.Media {
	rig.t.Helper()
	m, _, err := rig.desk.UploadMediaFile(rig.t.Context(), rig.editor.Actor(), service, name, testPicture(rig.t, seed, caption))
	if err != nil {
		rig.t.Fatal(err)
	}
	return m
}

// testPicture is a 640 × 360 JPEG whose pixels depend on seed, with an XMP
// caption when one is given.
func testPicture(t *testing.T, seed int, caption string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 360))
	for x := range 640 {
		img.Set(x, (x*7+seed)%360, color.RGBA{uint8(seed), 90, 200, 255})
	}
	j := mediatest.EncodeJPEG(t, img, 80)
	if caption == "" {
		return j
	}
	return mediatest.WithSegments(j, mediatest.Segment(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), mediatest.XMPPacket(caption, "", "")...)))
}

func (rig *libraryRig) media(id int64) *kolokol.Media {
	rig.t.Helper()
	m, err := rig.store.FindMediaByID(rig.t.Context(), id)
	if err != nil {
		rig.t.Fatal(err)
	}
	return m
}

// TestLibraryJSON: the editor's media picker gets exactly the contract's
// fields, newest first, and JSON errors, never a sign-in page.
func TestLibraryJSON(t *testing.T) {
	rig := newLibraryRig(t)
	older := rig.upload("fa", "old.jpg", 1, "Old caption")
	newer := rig.upload("fa", "new.jpg", 2, "New caption")
	rig.upload("uk", "uk.jpg", 3, "")

	rec := rig.get("/newsroom/media?service=fa&format=json")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("picker: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) != 2 || raw["media"] == nil || raw["total"] == nil {
		t.Fatalf("answer keys: %s", rec.Body)
	}
	var items []map[string]any
	if err := json.Unmarshal(raw["media"], &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || string(raw["total"]) != "2" {
		t.Fatalf("picker lists %d, total %s: %s", len(items), raw["total"], rec.Body)
	}
	var keys []string
	for k := range items[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"alt", "caption", "credit", "height", "id", "name", "thumb", "width"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("item keys %v, want %v", keys, want)
	}
	m := rig.media(newer.ID)
	src, _, _ := thumb(m)
	if items[0]["id"] != float64(newer.ID) || items[1]["id"] != float64(older.ID) || items[0]["thumb"] != src ||
		!strings.HasPrefix(src, "/media/") || items[0]["width"] != float64(640) || items[0]["height"] != float64(360) ||
		items[0]["caption"] != "New caption" || items[0]["name"] != "new.jpg" {
		t.Errorf("items: %v", items)
	}
	if r, ok := m.Pick(kolokol.RatioOriginal, kolokol.FormatJPEG, 320); !ok || r.Width != 320 || src != r.Path() {
		t.Errorf("thumb %q is not the small rendition %+v", src, r)
	}

	// Paging and search through the same answer.
	rec = rig.get("/newsroom/media?service=fa&format=json&q=OLD+CAPTION")
	if !strings.Contains(rec.Body.String(), `"total":1`) || !strings.Contains(rec.Body.String(), `"id":`+strconv.FormatInt(older.ID, 10)) {
		t.Errorf("search: %s", rec.Body)
	}
	rec = rig.get("/newsroom/media?service=fa&format=json&page=2")
	if strings.TrimSpace(rec.Body.String()) != `{"media":[],"total":2}` {
		t.Errorf("past the end: %s", rec.Body)
	}

	for _, c := range []struct {
		name, path string
		user       *kolokol.User
		status     int
	}{
		{"signed out", "/newsroom/media?service=fa&format=json", nil, 401},
		{"another service", "/newsroom/media?service=fa&format=json", rig.reporter, 403},
		{"no such service", "/newsroom/media?service=zz&format=json", rig.reporter, 403},
		{"bad page", "/newsroom/media?service=uk&format=json&page=x", rig.reporter, 422},
	} {
		t.Run(c.name, func(t *testing.T) {
			rig.cookie = ""
			if c.user != nil {
				rig.as(c.user)
			}
			defer rig.as(rig.editor)
			rec := rig.get(c.path)
			var e struct {
				Error string `json:"error"`
			}
			if rec.Code != c.status || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error == "" {
				t.Errorf("%d %s, want %d and a JSON error", rec.Code, rec.Body, c.status)
			}
		})
	}
}

// TestLibraryPage: the library lists 50 photos a page with the range it
// shows, finds by caption, and escapes what uploads and queries carry.
func TestLibraryPage(t *testing.T) {
	rig := newLibraryRig(t)
	// The caption is XML-escaped in the picture's XMP packet.
	hostile := rig.upload("uk", `"><b onmouseover=alert(1)>x.jpg`, 1, `&lt;img src=x onerror=alert(2)&gt;`)
	for i := range 51 {
		rig.upload("uk", "photo-"+strconv.Itoa(i)+".jpg", 10+i, "")
	}
	rec := rig.get("/newsroom/media?service=uk")
	page := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("library: %d", rec.Code)
	}
	mustContain(t, "first page", page, "1–50 of 52", `rel="next"`, "photo-50.jpg", `<option value="fa">`, `enctype="multipart/form-data"`, `href="/newsroom/media"`)
	if hostile.Name != `"><b onmouseover=alert(1)>x.jpg` || hostile.Caption != `<img src=x onerror=alert(2)>` {
		t.Fatalf("hostile upload kept as %q, %q", hostile.Name, hostile.Caption)
	}
	if strings.Contains(page, "onmouseover") || strings.Contains(page, "<img src=x") {
		t.Error("the first page shows the oldest photo, or shows markup unescaped")
	}
	rec = rig.get("/newsroom/media?service=uk&page=2")
	page = rec.Body.String()
	mustContain(t, "second page", page, "51–52 of 52", `rel="prev"`, "&#34;&gt;&lt;b onmouseover=alert(1)&gt;x.jpg", "&lt;img src=x onerror=alert(2)&gt;")
	if strings.Contains(page, "<b onmouseover") || strings.Contains(page, "<img src=x") {
		t.Error("markup in a name or caption is not escaped")
	}

	rec = rig.get("/newsroom/media?service=uk&q=" + url.QueryEscape(`ONERROR=alert(2)`))
	mustContain(t, "search", rec.Body.String(), "1–1 of 1", `/newsroom/media/`+strconv.FormatInt(hostile.ID, 10))
	rec = rig.get("/newsroom/media?service=uk&q=" + url.QueryEscape(`"><b>x</b>`))
	mustContain(t, "hostile query", rec.Body.String(), "No photos", `value="&#34;&gt;&lt;b&gt;x&lt;/b&gt;"`)
	if strings.Contains(rec.Body.String(), "<b>x</b>") {
		t.Error("the query is shown unescaped")
	}

	// Choosing for a story: each photo offers itself.
	rec = rig.get("/newsroom/media?service=uk&story=new")
	mustContain(t, "choosing", rec.Body.String(), `href="/newsroom/stories/new?service=uk&amp;media=`, "Use as lead photo")
	rec = rig.get("/newsroom/media?service=uk&story=../x")
	if strings.Contains(rec.Body.String(), "Use as lead photo") {
		t.Error("a malformed story is offered photos")
	}
}

func (rig *libraryRig) multipart(path, service, filename string, data []byte) *httptest.ResponseRecorder {
	rig.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("service", service)
	fw, err := mw.CreateFormFile("image", filename)
	if err != nil {
		rig.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return rig.send(req)
}

// TestLibraryUpload: an upload goes into the service's library with its
// file's name cleaned of any path, and opens the photo; a bad one says why.
func TestLibraryUpload(t *testing.T) {
	rig := newLibraryRig(t)
	rec := rig.multipart("/newsroom/media", "fa", `../../etc/تهران.jpg`, testPicture(t, 5, "Azadi Square"))
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/newsroom/media/") {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(strings.SplitN(rec.Header().Get("Location"), "?", 2)[0], "/newsroom/media/"), 10, 64)
	m := rig.media(id)
	if m.Name != "تهران.jpg" || m.Caption != "Azadi Square" || m.UploadedBy != rig.editor.Email || len(m.Services) != 1 || m.Services[0] != "fa" {
		t.Errorf("uploaded media: %+v", m)
	}
	rec = rig.multipart("/newsroom/media", "fa", "notes.txt", []byte("not a picture"))
	if rec.Code < 400 || !strings.Contains(rec.Body.String(), `id="image-error"`) {
		t.Errorf("a text file: %d %s", rec.Code, rec.Body)
	}
	rig.as(rig.reporter)
	rec = rig.multipart("/newsroom/media", "fa", "x.jpg", testPicture(t, 6, ""))
	if rec.Code != http.StatusForbidden {
		t.Errorf("upload to another service: %d", rec.Code)
	}
}

// TestMediaPage: the photo's page shows it with its defaults and stories;
// another service's photo is not found; the defaults save and refuse.
func TestMediaPage(t *testing.T) {
	rig := newLibraryRig(t)
	m := rig.upload("fa", "azadi.jpg", 1, "میدان آزادی")
	a, err := rig.desk.CreateArticle(t.Context(), rig.editor.Actor(), desk.ArticleInput{Service: "fa", Headline: "خبر تهران",
		LeadImage: &kolokol.LeadImage{MediaID: m.ID, Alt: "برج آزادی"}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/newsroom/media/" + strconv.FormatInt(m.ID, 10)
	rec := rig.get(path)
	mustContain(t, "media page", rec.Body.String(), "میدان آزادی", `type="image" name="focal"`, `width="320" height="180"`,
		`href="/newsroom/stories/`+strconv.FormatInt(a.ID, 10)+`" lang="fa-IR" dir="rtl"`, "50% from the left, 50% from the top")

	rig.as(rig.reporter)
	if rec := rig.get(path); rec.Code != http.StatusNotFound {
		t.Errorf("another service's photo: %d", rec.Code)
	}
	if rec := rig.post(path, url.Values{"alt": {"x"}}); rec.Code != http.StatusNotFound {
		t.Errorf("describing another service's photo: %d", rec.Code)
	}
	rig.as(rig.editor)

	rec = rig.post(path, url.Values{"alt": {"Azadi Tower at dusk"}, "caption": {"Line one\nline two"}, "credit": {"AP"}})
	if rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("two-line caption: %d", rec.Code)
	}
	mustContain(t, "refused defaults", rec.Body.String(), `id="caption-error"`, `value="Azadi Tower at dusk"`)
	if got := rig.media(m.ID); got.Alt != "" || got.Credit != "" {
		t.Errorf("a refused save stored: %+v", got)
	}
	rec = rig.post(path, url.Values{"alt": {"Azadi Tower at dusk"}, "caption": {"میدان آزادی"}, "credit": {"AP"}, "service": {"fa"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save defaults: %d %s", rec.Code, rec.Body)
	}
	if got := rig.media(m.ID); got.Alt != "Azadi Tower at dusk" || got.Credit != "AP" {
		t.Errorf("saved defaults: %+v", got)
	}

	// The story form takes the photo chosen in the library, with its
	// defaults.
	rec = rig.get("/newsroom/stories/new?service=fa&media=" + strconv.FormatInt(m.ID, 10))
	mustContain(t, "story form with a chosen photo", rec.Body.String(), `name="media_id" value="`+strconv.FormatInt(m.ID, 10)+`"`,
		`value="Azadi Tower at dusk"`, `value="AP"`)
	other := rig.upload("uk", "uk.jpg", 9, "")
	rig.as(rig.reporter)
	rec = rig.get("/newsroom/stories/new?service=uk&media=" + strconv.FormatInt(m.ID, 10))
	if strings.Contains(rec.Body.String(), `name="media_id"`) {
		t.Error("a photo the reporter may not see was put on the form")
	}
	rec = rig.get("/newsroom/stories/new?service=uk&media=" + strconv.FormatInt(other.ID, 10))
	mustContain(t, "reporter's own service", rec.Body.String(), `name="media_id" value="`+strconv.FormatInt(other.ID, 10)+`"`)
}

// TestFocalClick: a click on the picture, shown 320 pixels wide, sets the
// focal point in fractions; a click outside it, or a typed point out of
// range, is refused and changes nothing.
func TestFocalClick(t *testing.T) {
	rig := newLibraryRig(t)
	m := rig.upload("uk", "kyiv.jpg", 1, "")
	path := "/newsroom/media/" + strconv.FormatInt(m.ID, 10)
	for _, c := range []struct {
		name   string
		form   url.Values
		fx, fy float64
		field  string
	}{
		{"click", url.Values{"focal.x": {"80"}, "focal.y": {"135"}}, 0.25, 0.75, ""},
		{"click on the far corner", url.Values{"focal.x": {"320"}, "focal.y": {"180"}}, 1, 1, ""},
		{"typed", url.Values{"fx": {"12.5"}, "fy": {"40"}}, 0.125, 0.4, ""},
		{"click outside", url.Values{"focal.x": {"321"}, "focal.y": {"10"}}, 0.125, 0.4, "focal"},
		{"click above", url.Values{"focal.x": {"10"}, "focal.y": {"-1"}}, 0.125, 0.4, "focal"},
		{"click not a number", url.Values{"focal.x": {"1e3"}, "focal.y": {"1"}}, 0.125, 0.4, "focal"},
		{"typed over 100", url.Values{"fx": {"150"}, "fy": {"40"}}, 0.125, 0.4, "focal_x"},
		{"typed NaN", url.Values{"fx": {"10"}, "fy": {"NaN"}}, 0.125, 0.4, "focal_y"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := rig.post(path, c.form)
			if c.field == "" && rec.Code != http.StatusSeeOther {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if c.field != "" && (rec.Code < 400 || !strings.Contains(rec.Body.String(), `id="`+c.field+`-error"`)) {
				t.Errorf("%d, want an error beside %s", rec.Code, c.field)
			}
			if got := rig.media(m.ID); got.FocalX != c.fx || got.FocalY != c.fy {
				t.Errorf("focal point (%g, %g), want (%g, %g)", got.FocalX, got.FocalY, c.fx, c.fy)
			}
		})
	}
	// The cross is drawn where the point is.
	rec := rig.get(path)
	mustContain(t, "marker", rec.Body.String(), `x1="125.0"`, `y1="400.0"`, "12.5% from the left, 40% from the top")

	// A reporter is not offered the click, and cannot forge it.
	rig.as(rig.reporter)
	rec = rig.get(path)
	if strings.Contains(rec.Body.String(), `type="image"`) {
		t.Error("a reporter is offered the focal point")
	}
	if rec := rig.post(path, url.Values{"focal.x": {"0"}, "focal.y": {"0"}}); rec.Code != http.StatusForbidden {
		t.Errorf("a reporter's click: %d", rec.Code)
	}
}
