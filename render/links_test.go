package render

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kolokol/kolokol/i18n"
	"golang.org/x/net/html"
)

// TestCrawl follows every link from the portal, resolving each href and src
// against the page's own URL the way a browser does, and checks that each
// lands on a page (never a redirect or a 404), and that every page is well
// formed for assistive technology.
func TestCrawl(t *testing.T) {
	f := newFixture(t)
	base := mustURL(t, testBase)
	queue := []string{"/"}
	seen := map[string]bool{"/": true}
	articles := 0
	for len(queue) > 0 && len(seen) < 400 {
		path := queue[0]
		queue = queue[1:]
		p := f.build(t, path)
		if p.Status != 200 {
			t.Errorf("%s: status %d", path, p.Status)
			continue
		}
		if p.ContentType != htmlType {
			continue // mirrors.json
		}
		if strings.Contains(path, "/a/") {
			articles++
		}
		pageURL := base.ResolveReference(&url.URL{Path: path})
		doc := parse(t, p.Body)
		checkInert(t, doc)
		checkStructure(t, path, doc)
		// A lite article is the same story as its full page, which is canonical.
		canonical := pageURL
		if rest, ok := strings.CutPrefix(path, "/"+strings.Split(path, "/")[1]+"/lite/a/"); ok {
			canonical = base.ResolveReference(&url.URL{Path: "/" + strings.Split(path, "/")[1] + "/a/" + rest})
		}
		if c, _ := attr(first(t, doc, byAttr("rel", "canonical"), "canonical"), "href"); c != canonical.String() {
			t.Errorf("%s: canonical %q, want %q", path, c, canonical)
		}
		for _, ref := range refs(doc) {
			u := pageURL.ResolveReference(mustURL(t, ref.val))
			if u.Host != base.Host {
				continue // external navigation; checkInert vets it
			}
			if u.Fragment != "" && u.Path == path {
				if len(findAll(doc, byAttr("id", u.Fragment))) != 1 {
					t.Errorf("%s: #%s has no target", path, u.Fragment)
				}
				continue
			}
			target := u.Path // what net/http would hand to Build
			if _, ok := f.b.Static(target); ok {
				continue
			}
			if target == f.media.Path() {
				continue
			}
			if ref.tag == "link" {
				// A feed or ninjs: another format of the page.
				if p, err := f.b.Build(context.Background(), target); err == nil && p.Status == 200 && p.ContentType != htmlType {
					continue
				}
			}
			if ref.tag != "a" {
				t.Errorf("%s: <%s> %q resolves to %s, which is not an asset", path, ref.tag, ref.val, target)
				continue
			}
			if !seen[target] {
				seen[target] = true
				queue = append(queue, target)
			}
		}
	}
	for _, want := range []string{"/ru/", "/fa/", "/ru/s/world/2/", "/ru/archive/3/", raw(t, f.full.Path()), raw(t, f.fa.Path()), "/ru/s/society/", "/ru/mirrors/", "/fa/mirrors/", MirrorsJSONPath} {
		if !seen[want] {
			t.Errorf("crawl never reached %s", want)
		}
	}
	if articles < f.ruLive {
		t.Errorf("crawled %d articles", articles)
	}
}

type ref struct{ tag, val string }

func refs(doc *html.Node) []ref {
	var out []ref
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if rel, _ := attr(n, "rel"); n.Data == "link" && rel == "canonical" {
			return
		}
		for _, a := range n.Attr {
			if a.Key == "href" || a.Key == "src" {
				out = append(out, ref{n.Data, a.Val})
			}
		}
	})
	return out
}

// checkStructure checks what the HTML checker and axe-core would flag most
// often: one h1, no skipped heading levels, unique ids, labelled navs,
// the landmarks, lang on the root.
func checkStructure(t *testing.T, path string, doc *html.Node) {
	t.Helper()
	if n := len(findAll(doc, byTag("h1"))); n != 1 {
		t.Errorf("%s: %d h1", path, n)
	}
	prev := 0
	for _, h := range findAll(doc, isHeading) {
		l, _ := strconv.Atoi(h.Data[1:])
		if l > prev+1 {
			t.Errorf("%s: <%s> %q follows h%d", path, h.Data, textOf(h), prev)
		}
		prev = l
	}
	ids := map[string]bool{}
	walk(doc, func(n *html.Node) {
		if id, ok := attr(n, "id"); ok && n.Type == html.ElementNode {
			if ids[id] {
				t.Errorf("%s: duplicate id %q", path, id)
			}
			ids[id] = true
		}
	})
	for _, n := range findAll(doc, byTag("nav")) {
		if l, _ := attr(n, "aria-label"); l == "" {
			t.Errorf("%s: nav without a label", path)
		}
	}
	for _, tag := range []string{"header", "main", "title"} {
		if len(findAll(doc, byTag(tag))) != 1 {
			t.Errorf("%s: not exactly one <%s>", path, tag)
		}
	}
	if l, _ := attr(first(t, doc, byTag("html"), "html"), "lang"); l == "" {
		t.Errorf("%s: no lang", path)
	}
	for _, a := range findAll(doc, byTag("a")) {
		if strings.TrimSpace(textOf(a)) == "" {
			t.Errorf("%s: link without text", path)
		}
	}
}

func isHeading(n *html.Node) bool {
	return len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6'
}

// The 404 page is served at whatever path was asked for; its relative links
// must work from there.
func TestNotFoundLinks(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/ru/nope", "/ru/nope/", "/ru/a/999999-x/", "/ru/s/world/9/", "/xx/yy/zz", "/nope"} {
		p := f.build(t, path)
		if p.Status != 404 {
			t.Fatalf("%s: %d", path, p.Status)
		}
		doc := parse(t, p.Body)
		checkInert(t, doc)
		pageURL := mustURL(t, testBase).ResolveReference(&url.URL{Path: path})
		for _, r := range refs(doc) {
			u := pageURL.ResolveReference(mustURL(t, r.val))
			if u.Path == path && u.Fragment != "" {
				continue
			}
			if _, ok := f.b.Static(u.Path); ok {
				continue
			}
			if q := f.build(t, u.Path); q.Status != 200 {
				t.Errorf("%s: %q resolves to %s: %d", path, r.val, u.Path, q.Status)
			}
		}
	}
}

func TestRelPath(t *testing.T) {
	cases := []struct{ from, to, want string }{
		{"/", "/", "./"},
		{"/", "/ru/", "ru/"},
		{"/", "/static/style.css", "static/style.css"},
		{"/ru/", "/ru/", "./"},
		{"/ru/", "/", "../"},
		{"/ru/a/5-x/", "/ru/", "../../"},
		{"/ru/a/5-x/", "/static/style.ab.css", "../../../static/style.ab.css"},
		{"/ru/a/5-x/", "/ru/a/6-y/", "../6-y/"},
		{"/ru/archive/2/", "/ru/archive/", "../"},
		{"/ru/archive/", "/ru/archive/3/", "3/"},
		{"/ru/s/world/", "/ru/s/society/", "../society/"},
		{"/", "/a:b/", "./a:b/"},
	}
	for _, c := range cases {
		if got := relPath(c.from, c.to); got != c.want {
			t.Errorf("relPath(%q, %q) = %q, want %q", c.from, c.to, got, c.want)
		}
		if got := mustURL(t, testBase+c.from).ResolveReference(mustURL(t, relPath(c.from, c.to))).Path; got != c.to {
			t.Errorf("relPath(%q, %q) resolves to %q", c.from, c.to, got)
		}
	}
}

func TestParsePositive(t *testing.T) {
	for s, want := range map[string]int64{"1": 1, "42": 42, "9223372036854775807": 1<<63 - 1} {
		if n, ok := parsePositive(s); !ok || n != want {
			t.Errorf("parsePositive(%q) = %d %v", s, n, ok)
		}
	}
	for _, s := range []string{"", "0", "01", "-1", "+1", "1e3", "9223372036854775808", "99999999999999999999", "1 ", "١"} {
		if n, ok := parsePositive(s); ok {
			t.Errorf("parsePositive(%q) = %d", s, n)
		}
	}
}

// Every message the templates use must be in the catalogs.
func TestTemplateKeys(t *testing.T) {
	re := regexp.MustCompile(`\.L\.T "([^"]+)"`)
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, k := range i18n.Keys() {
		known[k] = true
	}
	n := 0
	for _, e := range entries {
		src, err := templateFS.ReadFile("templates/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			n++
			if !known[m[1]] {
				t.Errorf("%s uses unknown message %q", e.Name(), m[1])
			}
		}
	}
	if n == 0 {
		t.Error("found no messages in the templates")
	}
}

// TestWritePages writes a few pages as a static export would, and checks
// that each, opened from disk, finds its stylesheet and icon by its
// relative links. With WRITE_PAGES=dir they are kept there, for looking at
// them in a browser or feeding them to the HTML checker.
func TestWritePages(t *testing.T) {
	dir := os.Getenv("WRITE_PAGES")
	if dir == "" {
		dir = t.TempDir()
	}
	f := newFixture(t)
	for _, path := range []string{f.b.StylePath(), "/favicon.svg"} {
		p, _ := f.b.Static(path)
		os.MkdirAll(dir+"/static", 0o755)
		if err := os.WriteFile(dir+path, p.Body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	written := map[string]string{} // file: the page's path
	for _, path := range []string{"/", "/ru/", "/ru/archive/2/", raw(t, f.full.Path()), raw(t, f.fa.Path()), raw(t, f.evil.Path()), "/ru/nope/"} {
		p, err := f.b.Build(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		d := dir + path
		if p.Status == 404 {
			d = dir + "/ru/404/"
		} else if p.Status != 200 {
			t.Fatalf("%s: %d", path, p.Status)
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(d+"index.html", p.Body, 0o644); err != nil {
			t.Fatal(err)
		}
		written[d+"index.html"] = path
	}
	for file, path := range written {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(body, []byte("<!DOCTYPE html>")) {
			t.Errorf("%s is not an HTML document", path)
		}
		found := 0
		for _, n := range findAll(parse(t, body), byTag("link")) {
			rel, _ := attr(n, "rel")
			href, _ := attr(n, "href")
			if rel != "stylesheet" && rel != "icon" {
				continue
			}
			found++
			target := href
			if !strings.HasPrefix(href, "/") { // the 404 page's links are root-relative
				target = filepath.Join(filepath.Dir(file), href)
			} else {
				target = dir + href
			}
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: its %s %q is not where it points: %v", path, rel, href, err)
			}
		}
		if found < 2 {
			t.Errorf("%s links %d of its stylesheet and icon", path, found)
		}
	}
}
