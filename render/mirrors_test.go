package render

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
	"golang.org/x/net/html"
)

// Secrets of the mirrors addMirrors stores: where their files go and how
// they are reached. None may reach a reader.
var mirrorSecrets = []string{"AKIAEXAMPLEKEY0042", "kolokol-secret-bucket", "s3.private.example.net", "hidden/prefix",
	"/srv/private/mirror", "sftp.private.example.net", "pushuser", "/var/www/private-site", "AAAAC3NzaC1lZDI1NTE5AAAAI"}

const testFingerprint = "3f1c0ad95d6b0c8e2f4a7b9d1e3c5a7f9b1d3e5f7a9c1e3b5d7f9a1c3e5b7d9f"

// addMirrors stores four mirrors, one of each kind and a retired one, and
// returns the live ones' public addresses in the order pages list them
// (by name).
func addMirrors(t *testing.T, st kolokol.Mirrors) []string {
	t.Helper()
	ctx := context.Background()
	ms := []*kolokol.Mirror{
		{Name: "Zurich bucket", Kind: kolokol.MirrorS3, PublicURL: "https://zurich.example.net/news/",
			Endpoint: "s3.private.example.net:9000", Bucket: "kolokol-secret-bucket", Prefix: "hidden/prefix", AccessKey: "AKIAEXAMPLEKEY0042", TLS: true},
		{Name: "Berlin disk", Kind: kolokol.MirrorDir, PublicURL: "https://berlin.example.net/", Dir: "/srv/private/mirror"},
		{Name: "Amsterdam server", Kind: kolokol.MirrorSFTP, PublicURL: "https://amsterdam.example.net/site/",
			Host: "sftp.private.example.net", Port: 2222, User: "pushuser", RemotePath: "/var/www/private-site",
			HostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq5/Wv9UuYkgIFzFhDQMDfTj8k7Mh0MkVxN0"},
		{Name: "Blocked mirror", Kind: kolokol.MirrorDir, PublicURL: "https://blocked.example.net/", Dir: "/srv/blocked"},
	}
	for _, m := range ms {
		if err := m.Validate(); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if err := st.CreateMirror(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.RetireMirror(ctx, ms[3].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	return []string{"https://amsterdam.example.net/site/", "https://berlin.example.net/", "https://zurich.example.net/news/"}
}

func TestMirrorsPage(t *testing.T) {
	f := newFixture(t)
	live := addMirrors(t, f.store)
	b, err := New(f.store, Options{BaseURL: testBase, SiteName: "Kolokol", Onion: "http://kolokolexample.onion",
		KeyID: "003137FE040BF8D6", KeyFingerprint: testFingerprint})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cases := []struct {
		path, lang, dir string
	}{
		{"/en/mirrors/", "en", "ltr"},
		{"/ru/mirrors/", "ru", "ltr"},
		{"/fa/mirrors/", "fa-IR", "rtl"},
	}
	for _, c := range cases {
		p, err := b.Build(ctx, c.path)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != 200 || p.Path != c.path || p.ContentType != htmlType {
			t.Fatalf("%s: %d %q %q", c.path, p.Status, p.Path, p.ContentType)
		}
		if !slices.Contains(p.Deps, mirrorsTag) || !slices.Contains(p.Deps, "svc:"+strings.Split(c.path, "/")[1]) {
			t.Errorf("%s: deps %q", c.path, p.Deps)
		}
		doc := parse(t, p.Body)
		checkInert(t, doc)
		checkStructure(t, c.path, doc)
		root := first(t, doc, byTag("html"), "html")
		if l, _ := attr(root, "lang"); l != c.lang {
			t.Errorf("%s: lang %q", c.path, l)
		}
		if d, _ := attr(root, "dir"); d != c.dir {
			t.Errorf("%s: dir %q", c.path, d)
		}
		main := first(t, doc, byTag("main"), "main")
		cat := i18n.For(c.lang)
		if h := textOf(first(t, main, byTag("h1"), "h1")); h != cat.T(i18n.Mirrors) {
			t.Errorf("%s: h1 %q", c.path, h)
		}
		// The live mirrors, by name, each an absolute link showing its
		// address, left to right, never transliterated or translated.
		var got []string
		for _, li := range findAll(main, byTag("li")) {
			a := first(t, li, byTag("a"), "a")
			href, _ := attr(a, "href")
			if textOf(a) != href {
				t.Errorf("%s: the link to %s reads %q", c.path, href, textOf(a))
			}
			for k, want := range map[string]string{"rel": "noopener noreferrer", "dir": "ltr", "translate": "no"} {
				if v, _ := attr(a, k); v != want {
					t.Errorf("%s: the link to %s has %s=%q, want %q", c.path, href, k, v, want)
				}
			}
			got = append(got, href)
		}
		if !slices.Equal(got, live) {
			t.Errorf("%s lists %q, want %q", c.path, got, live)
		}
		body := string(p.Body)
		for _, s := range append(mirrorSecrets, "blocked.example.net", "Blocked mirror") {
			if strings.Contains(body, s) {
				t.Errorf("%s shows %q", c.path, s)
			}
		}
		codes := map[string]bool{}
		for _, code := range findAll(main, byTag("code")) {
			codes[textOf(code)] = true
			if d, _ := attr(code, "dir"); d != "ltr" {
				t.Errorf("%s: <code>%s</code> is not left to right", c.path, textOf(code))
			}
		}
		if !codes[testFingerprint] || !codes["http://kolokolexample.onion/"+strings.Split(c.path, "/")[1]+"/"] {
			t.Errorf("%s: the fingerprint or onion address is not in a <code>: %v", c.path, codes)
		}
		for _, key := range []string{i18n.MirrorsIntro, i18n.MirrorsKey, i18n.MirrorsCheck, i18n.MirrorsJSON} {
			if !strings.Contains(textOf(main), cat.T(key)) {
				t.Errorf("%s lacks %s", c.path, key)
			}
		}
		if strings.Contains(textOf(main), cat.T(i18n.MirrorsNone)) {
			t.Errorf("%s says there are no mirrors", c.path)
		}
		if hrefs := hrefsOf(main); !slices.Contains(hrefs, "../../mirrors.json") {
			t.Errorf("%s does not link mirrors.json: %q", c.path, hrefs)
		}
	}
}

func hrefsOf(root *html.Node) []string {
	var out []string
	walk(root, func(n *html.Node) {
		if h, ok := attr(n, "href"); ok {
			out = append(out, h)
		}
	})
	return out
}

// Without mirrors, a key or an onion address, the page says there are no
// mirrors and shows nothing empty.
func TestMirrorsPageEmpty(t *testing.T) {
	f := newFixture(t)
	p := f.build(t, "/ka/mirrors/")
	if p.Status != 200 {
		t.Fatalf("%d", p.Status)
	}
	doc := parse(t, p.Body)
	checkStructure(t, "/ka/mirrors/", doc)
	main := first(t, doc, byTag("main"), "main")
	cat := i18n.For("ka")
	if !strings.Contains(textOf(main), cat.T(i18n.MirrorsNone)) || strings.Contains(textOf(main), cat.T(i18n.MirrorsIntro)) {
		t.Errorf("no %q, or the intro to a list, in %q", cat.T(i18n.MirrorsNone), textOf(main))
	}
	if n := len(findAll(main, byTag("ul"))) + len(findAll(main, byTag("code"))) + len(findAll(main, byTag("h2"))); n != 0 {
		t.Errorf("%d empty lists, codes or headings", n)
	}
}

// The footer of every service page, and the safety page, lead to the
// service's mirrors page.
func TestMirrorsLinked(t *testing.T) {
	f := newFixture(t)
	for path, want := range map[string]string{
		"/ru/":              "mirrors/",
		"/ru/safety/":       "../mirrors/",
		"/fa/archive/":      "../mirrors/",
		raw(t, f.fa.Path()): "../../mirrors/",
		"/ru/nope/":         "/ru/mirrors/", // the 404 page's links are root-relative
	} {
		doc := parse(t, f.build(t, path).Body)
		footer := first(t, doc, byTag("footer"), "footer")
		if !slices.Contains(hrefsOf(footer), want) {
			t.Errorf("%s: the footer does not link %s: %q", path, want, hrefsOf(footer))
		}
		if path == "/ru/safety/" && !slices.Contains(hrefsOf(first(t, doc, byTag("main"), "main")), want) {
			t.Errorf("the safety page does not link the mirrors page")
		}
	}
}

// mirrors.json: its documented shape, live mirrors alone, by name, with
// nothing else of them; the services' pages relative to it.
func TestMirrorsJSON(t *testing.T) {
	f := newFixture(t)
	live := addMirrors(t, f.store)
	b, err := New(f.store, Options{BaseURL: testBase, Onion: "http://kolokolexample.onion", KeyID: "003137FE040BF8D6", KeyFingerprint: testFingerprint})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, path := range []string{MirrorsJSONPath} {
		p, err := b.Build(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != 200 || p.Path != MirrorsJSONPath || p.ContentType != "application/json" {
			t.Fatalf("%s: %d %q %q", path, p.Status, p.Path, p.ContentType)
		}
		if !slices.Contains(p.Deps, mirrorsTag) || !slices.Contains(p.Deps, portalTag) {
			t.Errorf("deps %q", p.Deps)
		}
		for _, s := range append(mirrorSecrets, "blocked.example.net", "Blocked mirror") {
			if strings.Contains(string(p.Body), s) {
				t.Errorf("mirrors.json shows %q", s)
			}
		}
		var d struct {
			Origin, Onion string
			Key           struct{ ID, Fingerprint, File string }
			Mirrors       []struct{ Name, URL string }
			Services      []struct{ Code, Name, Lang, Dir, Page string }
		}
		dec := json.NewDecoder(strings.NewReader(string(p.Body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("%v:\n%s", err, p.Body)
		}
		if d.Origin != testBase || d.Onion != "http://kolokolexample.onion" ||
			d.Key.ID != "003137FE040BF8D6" || d.Key.Fingerprint != testFingerprint || d.Key.File != "kolokol.pub" {
			t.Errorf("mirrors.json: %+v", d)
		}
		var urls, names []string
		for _, m := range d.Mirrors {
			urls, names = append(urls, m.URL), append(names, m.Name)
		}
		if !slices.Equal(urls, live) || !slices.Equal(names, []string{"Amsterdam server", "Berlin disk", "Zurich bucket"}) {
			t.Errorf("mirrors %q %q", urls, names)
		}
		services, _ := f.store.FindServices(ctx)
		if len(d.Services) != len(services) {
			t.Fatalf("%d services, want %d", len(d.Services), len(services))
		}
		for i, s := range d.Services {
			want := services[i]
			if s.Code != want.Code || s.Name != want.Name || s.Lang != want.Tag || s.Page != want.Code+"/mirrors/" ||
				(s.Dir == "rtl") != (want.Direction == kolokol.RTL) {
				t.Errorf("service %+v", s)
			}
			if q, err := b.Build(ctx, "/"+s.Page); err != nil || q.Status != 200 {
				t.Errorf("%s does not lead to a page", s.Page)
			}
		}
	}

	// Without a key, an onion or a mirror: the fields are left out, the
	// list is empty, never null.
	empty := newFixture(t)
	p := empty.build(t, MirrorsJSONPath)
	if s := string(p.Body); !strings.Contains(s, `"mirrors": []`) || strings.Contains(s, `"key"`) || strings.Contains(s, `"onion"`) {
		t.Errorf("mirrors.json without mirrors, key or onion:\n%s", s)
	}
	// A path near it is no page.
	for _, path := range []string{"/mirrors.json/", "/mirrors", "/ru/mirrors.json", "/ru/mirrors/2/"} {
		if p := empty.build(t, path); p.Status != 404 {
			t.Errorf("%s: %d", path, p.Status)
		}
	}
}

// The Serbian Cyrillic mirrors page is the Latin one transliterated, but
// for the addresses and the fingerprint, which must stay as they are.
func TestMirrorsPageVariant(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.store.CreateService(ctx, &kolokol.Service{Code: "sr", Tag: "sr-Latn", Script: "Latn", Direction: kolokol.LTR,
		Name: "Srpski", TimeZone: "Europe/Belgrade"}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateMirror(ctx, &kolokol.Mirror{Name: "Beograd", Kind: kolokol.MirrorDir, PublicURL: "https://beograd.example.net/", Dir: "/srv/b"}); err != nil {
		t.Fatal(err)
	}
	b, err := New(f.store, Options{BaseURL: testBase, KeyFingerprint: "abcdef0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.Build(ctx, "/sr-cyrl/mirrors/")
	if err != nil || p.Status != 200 {
		t.Fatalf("%v %v", p, err)
	}
	body := string(p.Body)
	for _, want := range []string{">abcdef0123456789</code>", ">https://beograd.example.net/</a>", "<bdi>Београд</bdi>", "<h1>Огледала сајта</h1>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Cyrillic mirrors page has no %q", want)
		}
	}
}
