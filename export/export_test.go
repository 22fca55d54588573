package export

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
	"github.com/kolokol/kolokol/site"
	"github.com/kolokol/kolokol/store/sqlite"
	"golang.org/x/net/html"
)

const origin = "https://news.example.org"

var admin = kolokol.Actor{Name: "test admin", Role: kolokol.RoleAdmin}

// newsroom is a real newsroom on a SQLite file: the demo's 27 services,
// stories and picture, and a desk to change them through.
type newsroom struct {
	data   string
	store  *sqlite.Store
	blobs  *media.Dir
	desk   *desk.Desk
	signer *sign.Signer
	now    time.Time
}

func newNewsroom(t testing.TB) *newsroom {
	t.Helper()
	ctx := context.Background()
	data := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(data, "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := media.NewDir(filepath.Join(data, "media"))
	if err != nil {
		t.Fatal(err)
	}
	images, err := media.NewProcessor(media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := desk.New(st, blobs, images, nil)
	now := time.Now()
	if _, err := demo.Seed(ctx, st, d, now); err != nil {
		t.Fatal(err)
	}
	signer, err := sign.LoadSigner(data, now)
	if err != nil {
		t.Fatal(err)
	}
	return &newsroom{data: data, store: st, blobs: blobs, desk: d, signer: signer, now: now}
}

// renderOptions are the pages' options, as the server's: the mirrors pages
// show the signing key.
func (n *newsroom) renderOptions() render.Options {
	ring := n.signer.Keyring()
	return render.Options{BaseURL: origin, SiteName: "Kolokol", KeyID: ring.Current.ID.String(), KeyFingerprint: ring.Fingerprint()}
}

// exporter exports the newsroom to out.
func (n *newsroom) exporter(t testing.TB, out string, opts Options) *Exporter {
	t.Helper()
	stateDir, err := StateDir(n.data, out)
	if err != nil {
		t.Fatal(err)
	}
	opts.Out, opts.StateDir, opts.Signer = out, stateDir, n.signer
	opts.Render = n.renderOptions()
	e, err := New(n.store, n.blobs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func run(t testing.TB, e *Exporter) *Result {
	t.Helper()
	res, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// verify checks the tree as a reader would, with the newsroom's key, and
// fails unless it is exactly a signed edition (not even an update in
// progress).
func (n *newsroom) verify(t testing.TB, out string, minEdition int64) *sign.Report {
	t.Helper()
	r, err := sign.Verify(context.Background(), sign.Dir(out), sign.Options{Keys: n.signer.Keyring(), MinEdition: minEdition, Origin: origin})
	if err != nil {
		var found []string
		if r != nil {
			for _, f := range r.Findings {
				found = append(found, f.Kind.String()+" "+f.Path)
			}
		}
		t.Fatalf("verify %s: %v %q", out, err, found)
	}
	if len(r.Findings) > 0 || r.InProgress() {
		t.Fatalf("verify %s: %d findings (%v), in progress %v", out, len(r.Findings), r.Findings, r.InProgress())
	}
	return r
}

// manifest reads the tree's manifest as a map of path to hash.
func manifest(t testing.TB, out string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, sign.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	m, err := sign.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	missing, err := sign.AssembleFiles(m, func(p sign.File) ([]byte, error) {
		return os.ReadFile(filepath.Join(out, filepath.FromSlash(p.Path)))
	})
	if err != nil || len(missing) > 0 {
		t.Fatalf("the manifest's parts: %v %v", err, missing)
	}
	files := map[string]string{}
	for _, f := range m.Files {
		files[f.Path] = f.SHA256
	}
	return files
}

// searchForm is the live site's search form and the skip link to it.
var searchForm = regexp.MustCompile(`\n<a class="skip" href="#q">[^<]*</a>|\n<form class="search" role="search".*?</form>`)

// TestExportServesUnderAnyPrefix: the tree, served by a plain static file
// server under a random path, is the whole site: every link from the
// portal leads to a file of the tree, none outside the prefix, nothing is
// loaded from another host, and every file of the tree but the unlinked
// ones (404 pages, robots.txt) is reached.
func TestExportServesUnderAnyPrefix(t *testing.T) {
	n := newNewsroom(t)
	out := filepath.Join(t.TempDir(), "mirror")
	res := run(t, n.exporter(t, out, Options{}))
	if !res.Full || !res.Signed || res.Edition != 1 || res.Written != res.Files {
		t.Fatalf("first export: %+v", res)
	}
	n.verify(t, out, 1)
	files := manifest(t, out)

	prefix := "/" + randomName(t) + "/deeper/"
	srv := httptest.NewServer(http.StripPrefix(strings.TrimSuffix(prefix, "/"), http.FileServer(http.Dir(out))))
	defer srv.Close()
	found := crawl(t, srv.URL, prefix)
	for path := range files {
		if _, ok := found[path]; !ok && !strings.HasSuffix(path, "404.html") && path != "robots.txt" && !sitemap(path) {
			t.Errorf("no link reaches %s", path)
		}
	}
	for _, want := range []string{"index.html", "ru/index.html", "fa/index.html", "sr-cyrl/index.html", "ru/404.html", "404.html",
		"mirrors.json", "en/mirrors/index.html", "fa/mirrors/index.html", "sr-cyrl/mirrors/index.html"} {
		if files[want] == "" {
			t.Errorf("the export lacks %s", want)
		}
	}
	pictures := 0
	for path := range files {
		if strings.HasPrefix(path, "media/") {
			pictures++
		}
	}
	if pictures == 0 {
		t.Error("the export has no picture files")
	}

	// A page is the bytes the live site serves a reader (one whose
	// country is unknown; the demo's notices are for named countries).
	s := site.New(mustBuilder(t, n.store, n.renderOptions()), n.blobs, nil, nil, site.Options{Notices: n.store.FindNotices})
	compared := 0
	for _, path := range []string{"/", "/en/", "/fa/archive/", "/ru/", "/sr-cyrl/", "/ka/lite/", "/mirrors.json", "/en/mirrors/", "/fa/mirrors/"} {
		code, _, _ := strings.Cut(strings.Trim(path, "/"), "/")
		all, err := n.store.FindNotices(context.Background(), strings.TrimSuffix(code, "-cyrl"))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(kolokol.SelectNotices(all, ""), kolokol.MirrorNotices(all)) {
			continue // a mirror shows other notices than the site does
		}
		compared++
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		rel, _ := fileOf(path)
		got, err := os.ReadFile(filepath.Join(out, rel))
		if err != nil {
			t.Fatal(err)
		}
		served := rec.Body.Bytes()
		if strings.HasSuffix(path, "/") {
			// A mirror has no server to search: the page is the site's
			// without its search form and the skip link to it.
			if !bytes.Contains(served, []byte(`role="search"`)) || bytes.Contains(got, []byte(`role="search"`)) || bytes.Contains(got, []byte(`href="#q"`)) {
				t.Errorf("%s: the site's page should have a search form and the mirror's none", path)
			}
			served = searchForm.ReplaceAll(served, nil)
		}
		if rec.Code != 200 || !bytes.Equal(served, got) {
			t.Errorf("%s: the exported file (%d bytes) is not what the site serves (%d, %d bytes)", path, len(got), rec.Code, rec.Body.Len())
		}
	}
	if compared < 5 {
		t.Errorf("only %d pages compared with the site's", compared)
	}
}

// sitemap reports whether a file of the tree is a sitemap, which robots.txt
// leads to rather than a link.
func sitemap(rel string) bool {
	k, ok := render.FileKind("/" + rel)
	return ok && (k == render.KindSitemap || k == render.KindNewsSitemap || k == render.KindSitemapIndex)
}

func mustBuilder(t testing.TB, st kolokol.Pages, opts render.Options) *render.Builder {
	b, err := render.New(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randomName(t testing.TB) string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// crawl follows every link, stylesheet and picture from the portal at
// base+prefix, and returns the files reached (relative to the prefix) with
// the page that first linked each. A link that leaves the prefix, a file
// that is not there, or a resource loaded from another host fails.
func crawl(t *testing.T, base, prefix string) map[string]string {
	t.Helper()
	start, _ := url.Parse(base + prefix)
	found := map[string]string{"index.html": "(start)"}
	queue := []*url.URL{start}
	seen := map[string]bool{start.Path: true}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		resp, err := http.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		body := new(bytes.Buffer)
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", u.Path, resp.StatusCode)
			continue
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		doc, err := html.Parse(body)
		if err != nil {
			t.Fatal(err)
		}
		for ref, resource := range links(doc) {
			v, err := u.Parse(ref)
			if err != nil {
				t.Errorf("%s: a link %q that is no URL", u.Path, ref)
				continue
			}
			if v.Host != start.Host || v.Scheme != start.Scheme {
				if resource {
					t.Errorf("%s loads %s from another host", u.Path, ref)
				}
				continue // a story's source, the canonical address, mailto:
			}
			if !strings.HasPrefix(v.Path, prefix) {
				t.Errorf("%s links to %s, outside the mirror's prefix %s", u.Path, ref, prefix)
				continue
			}
			v.RawQuery, v.Fragment = "", ""
			if seen[v.Path] {
				continue
			}
			seen[v.Path] = true
			rel := strings.TrimPrefix(v.Path, prefix)
			if rel == "" || strings.HasSuffix(rel, "/") {
				rel += "index.html"
			}
			found[rel] = u.Path
			queue = append(queue, v)
		}
	}
	return found
}

// links are the URLs a page leads to, each with whether a browser loads
// it with the page (a stylesheet, a picture) rather than on a click.
func links(doc *html.Node) map[string]bool {
	out := map[string]bool{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				switch {
				case a.Key == "href" && n.Data == "a":
					out[a.Val] = out[a.Val] || false
				case a.Key == "href" && n.Data == "link":
					rel := attr(n, "rel")
					if rel == "alternate" && attr(n, "type") != "" {
						out[a.Val] = out[a.Val] || false // a feed, a story's ninjs: followed, not loaded
						continue
					}
					if rel == "canonical" || rel == "alternate" {
						continue // addresses, not loaded
					}
					out[a.Val] = true
				case a.Key == "src":
					out[a.Val] = true
				case a.Key == "srcset":
					for _, c := range strings.Split(a.Val, ",") {
						if f := strings.Fields(c); len(f) > 0 {
							out[f[0]] = true
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestIncrementalIsFull: after each newsroom operation, the incremental
// export is file for file what a full export of the same newsroom writes,
// it rewrites only what changed, and the tree verifies as the new edition.
func TestIncrementalIsFull(t *testing.T) {
	n := newNewsroom(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "mirror")
	e := n.exporter(t, out, Options{})
	first := run(t, e)
	if again := run(t, e); again.Signed || again.Written != 0 || again.Full || again.Edition != first.Edition {
		t.Fatalf("a run with nothing changed: %+v", again)
	}
	ru, err := n.store.FindArticles(ctx, kolokol.ArticleFilter{Service: "ru", Status: kolokol.StatusPublished, Limit: 1})
	if err != nil || len(ru) == 0 {
		t.Fatal(err)
	}
	var story *kolokol.Article
	var mirror *kolokol.Mirror
	services, err := n.store.FindServices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A mirror added or retired changes every mirrors page (each
	// service's, and the Serbian Cyrillic one) and mirrors.json.
	mirrorFiles := func() []string {
		files := []string{"mirrors.json", "sr-cyrl/mirrors/index.html"}
		for _, s := range services {
			files = append(files, s.Code+"/mirrors/index.html")
		}
		return files
	}
	steps := []struct {
		name string
		do   func(t *testing.T)
		// want are files the step must write, gone those it must remove.
		want, gone func() []string
		max        int // at most this many files written
	}{
		{"publish a story", func(t *testing.T) {
			a, err := n.desk.CreateArticle(ctx, admin, desk.ArticleInput{Service: "ru", Headline: "Новая история", Summary: "Кратко.", Body: "Текст истории."})
			if err != nil {
				t.Fatal(err)
			}
			if story, err = n.desk.Publish(ctx, admin, a.ID); err != nil {
				t.Fatal(err)
			}
		}, func() []string {
			p := storyFile(t, story)
			return []string{p, "ru/lite/" + strings.TrimPrefix(p, "ru/"), "ru/index.html", "ru/archive/index.html", "ru/lite/index.html"}
		}, nil, 60},
		{"correct it", func(t *testing.T) {
			if _, err := n.desk.AddCorrection(ctx, admin, story.ID, "Исправлено: дата."); err != nil {
				t.Fatal(err)
			}
		}, func() []string {
			// The story's pages, its two ninjs files, and its service's
			// three feeds, whose entry shows the correction.
			return []string{storyFile(t, story), "ru/feed.xml", "ru/atom.xml", "ru/feed.json"}
		}, nil, 9},
		{"unpublish it", func(t *testing.T) {
			if _, err := n.desk.Unpublish(ctx, admin, story.ID); err != nil {
				t.Fatal(err)
			}
		}, func() []string { return []string{"ru/index.html"} },
			func() []string { return []string{storyFile(t, story)} }, 60},
		{"breaking news", func(t *testing.T) {
			if err := n.desk.SetBreaking(ctx, admin, &kolokol.Breaking{Service: "fa", Text: "خبر فوری", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}, func() []string { return []string{"fa/index.html", "fa/archive/index.html", "fa/lite/index.html"} }, nil, 1000},
		{"a notice for mirrors", func(t *testing.T) {
			if err := n.desk.SaveNotice(ctx, admin, &kolokol.Notice{Service: "en", Text: "Read us through our mirrors.", Mirrors: true}); err != nil {
				t.Fatal(err)
			}
		}, func() []string { return []string{"en/index.html", "en/safety/index.html"} }, nil, 1000},
		{"a notice for one country, not for mirrors", func(t *testing.T) {
			if err := n.desk.SaveNotice(ctx, admin, &kolokol.Notice{Service: "en", Text: "Careful.", Countries: []string{"IR"}}); err != nil {
				t.Fatal(err)
			}
		}, nil, nil, 0},
		{"add a mirror", func(t *testing.T) {
			if mirror, err = n.desk.CreateMirror(ctx, admin, kolokol.Mirror{Name: "Frankfurt", Kind: kolokol.MirrorDir,
				Dir: "/srv/private/frankfurt", PublicURL: "https://frankfurt.example.net/news/"}, nil); err != nil {
				t.Fatal(err)
			}
			mirrorsShow(t, out, "https://frankfurt.example.net/news/", false)
		}, mirrorFiles, nil, len(mirrorFiles())},
		{"retire the mirror", func(t *testing.T) {
			if _, err := n.desk.RetireMirror(ctx, admin, mirror.ID); err != nil {
				t.Fatal(err)
			}
		}, mirrorFiles, nil, len(mirrorFiles())},
	}
	prev := first.Edition
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := manifest(t, out)
			s.do(t)
			res := run(t, e)
			if res.Full {
				t.Fatalf("a full pass: %s", res.Why)
			}
			if res.Written > s.max {
				t.Errorf("%d files written, want at most %d", res.Written, s.max)
			}
			after := manifest(t, out)
			if s.want != nil {
				for _, f := range s.want() {
					if after[f] == "" || after[f] == before[f] {
						t.Errorf("%s was not written (before %.8s, after %.8s)", f, before[f], after[f])
					}
				}
			}
			if s.gone != nil {
				for _, f := range s.gone() {
					if _, ok := after[f]; ok {
						t.Errorf("%s is still in the edition", f)
					}
					if _, err := os.Stat(filepath.Join(out, f)); !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("%s is still in the tree: %v", f, err)
					}
				}
			}
			changed := 0
			for f, h := range after {
				if before[f] != h {
					changed++
				}
			}
			if changed != res.Written {
				t.Errorf("%d files changed, the result says %d written", changed, res.Written)
			}
			if res.Signed != (res.Written+res.Removed > 0) {
				t.Errorf("signed %v with %d written, %d removed", res.Signed, res.Written, res.Removed)
			}
			if res.Signed {
				if res.Edition != prev+1 {
					t.Errorf("edition %d after %d", res.Edition, prev)
				}
				prev = res.Edition
			}
			n.verify(t, out, prev)
			switch s.name {
			case "add a mirror":
				mirrorsShow(t, out, "https://frankfurt.example.net/news/", true)
			case "retire the mirror":
				mirrorsShow(t, out, "https://frankfurt.example.net/news/", false)
			}

			// The same newsroom exported from scratch.
			full := filepath.Join(t.TempDir(), "full")
			run(t, n.exporter(t, full, Options{}))
			want := manifest(t, full)
			for _, f := range slices.Sorted(maps.Keys(want)) {
				if after[f] != want[f] {
					t.Errorf("%s: incremental %.12s, full %.12s", f, after[f], want[f])
				}
			}
			for f := range after {
				if _, ok := want[f]; !ok {
					t.Errorf("%s is in the incremental export only", f)
				}
			}
		})
	}
}

// mirrorsShow checks whether the exported mirrors.json and mirrors pages
// list a mirror's address, and that they never show where its files go.
func mirrorsShow(t *testing.T, out, url string, want bool) {
	t.Helper()
	for _, rel := range []string{"mirrors.json", "en/mirrors/index.html", "fa/mirrors/index.html", "sr-cyrl/mirrors/index.html"} {
		data, err := os.ReadFile(filepath.Join(out, rel))
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(data, []byte(url)); got != want {
			t.Errorf("%s lists %s: %v, want %v", rel, url, got, want)
		}
		if bytes.Contains(data, []byte("/srv/private")) {
			t.Errorf("%s shows the mirror's directory", rel)
		}
	}
}

// The mirrors pages name the key file an export carries.
func TestPublicKeyFile(t *testing.T) {
	if render.PublicKeyFile != sign.PublicKeyFile {
		t.Errorf("render names the key file %q, sign writes %q", render.PublicKeyFile, sign.PublicKeyFile)
	}
}

// storyFile is the file of a story's page.
func storyFile(t testing.TB, a *kolokol.Article) string {
	p, err := url.PathUnescape(a.Path())
	if err != nil {
		t.Fatal(err)
	}
	rel, err := fileOf(p)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}
