package render

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolokol/kolokol/feed"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ninjsSpec is where IPTC's published ninjs schemas are: copied with their
// licence into the wire package's test data, so every clone has them.
const ninjsSpec = "../wire/testdata/iptc/ninjs/specification"

// ninjsSchemas compiles the published schemas of a major version, by file
// name.
func ninjsSchemas(t *testing.T, major string) map[string]*jsonschema.Schema {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(ninjsSpec, "ninjs-schema_"+major+".*.json"))
	if len(files) == 0 {
		t.Fatalf("no ninjs %s.x schemas in %s", major, ninjsSpec)
	}
	out := map[string]*jsonschema.Schema{}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat() // date-time and uri are checked, not only noted
		// The schemas refer to GeoJSON's for places' geometry, which is
		// not among the fixtures and which tests do not fetch: stories
		// carry no geometry, so any value is taken there.
		if err := c.AddResource("https://geojson.org/schema/GeoJSON.json", map[string]any{}); err != nil {
			t.Fatal(err)
		}
		abs, _ := filepath.Abs(file)
		loc := "file://" + filepath.ToSlash(abs)
		if err := c.AddResource(loc, doc); err != nil {
			t.Fatal(err)
		}
		sch, err := c.Compile(loc)
		if err != nil {
			t.Fatalf("compile %s: %v", file, err)
		}
		out[filepath.Base(file)] = sch
	}
	return out
}

// TestNinjs validates every story's ninjs 2.x and 3.x against each
// published schema of its major version, and checks that it says what the
// page says.
func TestNinjs(t *testing.T) {
	f := newFixture(t)
	for _, major := range []int{2, 3} {
		schemas := ninjsSchemas(t, itoa(int64(major)))
		for _, a := range []struct {
			path     string
			headline string
			lang     string
			picture  bool
		}{
			{"/ru/a/" + itoa(f.full.ID) + ".ninjs" + itoa(int64(major)) + ".json", f.full.Headline, "ru", true},
			{"/fa/a/" + itoa(f.fa.ID) + ".ninjs" + itoa(int64(major)) + ".json", f.fa.Headline, "fa-IR", false},
			{"/en/a/" + itoa(f.evil.ID) + ".ninjs" + itoa(int64(major)) + ".json", f.evil.Headline, "en", true},
			{"/ru/a/" + itoa(f.plain.ID) + ".ninjs" + itoa(int64(major)) + ".json", f.plain.Headline, "ru", false},
		} {
			p := f.build(t, a.path)
			if p.Status != 200 || p.ContentType != feed.NinjsType || p.Path != a.path {
				t.Fatalf("%s: %d %q %q", a.path, p.Status, p.ContentType, p.Path)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(p.Body))
			if err != nil {
				t.Fatal(err)
			}
			for name, sch := range schemas {
				if err := sch.Validate(inst); err != nil {
					t.Errorf("%s is not valid against %s: %v", a.path, name, err)
				}
			}
			var d map[string]any
			if err := json.Unmarshal(p.Body, &d); err != nil {
				t.Fatal(err)
			}
			hl := d["headlines"].([]any)[0].(map[string]any)["value"]
			if hl != a.headline || d["language"] != a.lang {
				t.Errorf("%s: headline %q language %q", a.path, hl, d["language"])
			}
			if _, ok := d["associations"]; ok != a.picture {
				t.Errorf("%s: associations %v, want a picture %v", a.path, d["associations"], a.picture)
			}
			created := "versioncreated"
			if major == 3 {
				created = "versionCreated"
			}
			if _, ok := d[created]; !ok {
				t.Errorf("%s has no %s", a.path, created)
			}
		}
	}
	// A story that is not live has none; nor a made-up spelling.
	for _, p := range []string{"/ru/a/" + itoa(f.draft.ID) + ".ninjs2.json", "/ru/a/" + itoa(f.unpub.ID) + ".ninjs3.json",
		"/ru/a/0" + itoa(f.full.ID) + ".ninjs2.json", "/fa/a/" + itoa(f.full.ID) + ".ninjs2.json", "/ru/a/" + itoa(f.full.ID) + ".ninjs4.json",
		"/ru/a/" + itoa(f.full.ID) + ".ninjs2.json/"} {
		if got := f.build(t, p); got.Status != 404 {
			t.Errorf("%s answers %d", p, got.Status)
		}
	}
	// The body is the page's, links absolute, and the plain text has no
	// markup.
	p := f.build(t, "/ru/a/"+itoa(f.full.ID)+".ninjs3.json")
	if !strings.Contains(string(p.Body), `href=\"`+testBase+`/ru/s/society/\"`) || strings.Contains(string(p.Body), "<script") {
		t.Errorf("ninjs body: %s", p.Body)
	}
}

func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"<h2>Title</h2>\n<p>One <a href=\"x\">link</a>.</p>\n<blockquote>\n<p>Quote</p>\n</blockquote>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>": "Title\n\nOne link.\n\nQuote\n\na\n\nb",
		"":                            "",
		"<p>&lt;script&gt; &amp;</p>": "<script> &",
	} {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}
