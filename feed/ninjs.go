package feed

import (
	"time"
)

// Story is a published story as ninjs carries it.
type Story struct {
	// URI is the story's permanent identifier (a tag: URI); Link its page.
	URI, Link  string
	Version    int
	Headline   string
	Summary    string
	HTML       string // the sanitized body (corrections included), links absolute
	Text       string // the body as plain text
	Lang       string
	Bylines    []string
	Located    string // dateline
	Published  time.Time
	Updated    time.Time
	Publisher  string   // the brand: the copyright holder
	Credits    []string // agencies whose copy was used
	Subjects   []Category
	Image      *Image
	ImageLinks []Rendition // the picture's renditions, when it has some
}

// Rendition is one file of a picture.
type Rendition struct {
	Name, Href, Type string
	Width, Height    int
	Size             int64
}

// Schemas the ninjs documents claim, whose published JSON Schemas the tests
// validate them against.
const (
	Ninjs2Version = "2.1"
	Ninjs3Version = "3.0"
)

// Ninjs writes s as IPTC ninjs of major version 2 or 3 (see Ninjs2Version,
// Ninjs3Version). The two differ in the spelling of property names (2.x
// all lower case, 3.x lower camel case); the structure used here is the
// same in both. Properties are written in Go's map order (sorted), so the
// bytes are stable.
func Ninjs(s *Story, major int) []byte {
	k := func(v2, v3 string) string {
		if major >= 3 {
			return v3
		}
		return v2
	}
	version, schema := Ninjs2Version, "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json#"
	if major >= 3 {
		version, schema = Ninjs3Version, "http://www.iptc.org/std/ninjs/ninjs-schema_3.0.json#"
	}
	d := map[string]any{
		"uri":                                 s.URI,
		"type":                                "text",
		"standard":                            map[string]string{"name": "ninjs", "version": version, "schema": schema},
		"version":                             itoaOr(s.Version),
		"language":                            s.Lang,
		k("pubstatus", "pubStatus"):           "usable",
		k("firstcreated", "firstCreated"):     RFC3339(s.Published),
		k("versioncreated", "versionCreated"): RFC3339(s.Updated),
		"headlines":                           []map[string]string{{"role": "main", "value": s.Headline}},
		k("altids", "altIds"):                 []map[string]string{{"role": "url", "value": s.Link}},
	}
	if s.Summary != "" {
		d["descriptions"] = []map[string]string{{"role": "summary", k("contenttype", "contentType"): "text/plain", "value": s.Summary}}
	}
	bodies := []map[string]string{}
	if s.HTML != "" {
		bodies = append(bodies, map[string]string{"role": "html", k("contenttype", "contentType"): "text/html", "value": s.HTML})
	}
	if s.Text != "" {
		bodies = append(bodies, map[string]string{"role": "text", k("contenttype", "contentType"): "text/plain", "value": s.Text})
	}
	if len(bodies) > 0 {
		d["bodies"] = bodies
	}
	if len(s.Bylines) > 0 {
		by := ""
		for i, b := range s.Bylines {
			if i > 0 {
				by += ", "
			}
			by += b
		}
		d["by"] = by
		people := make([]map[string]string, len(s.Bylines))
		for i, b := range s.Bylines {
			people[i] = map[string]string{"name": b, "rel": "author"}
		}
		d["people"] = people
	}
	if s.Located != "" {
		d["located"] = s.Located
	}
	if s.Publisher != "" {
		d[k("copyrightholder", "copyrightHolder")] = s.Publisher
	}
	// The agencies whose copy was used. No role: ninjs 2.0 wants a URI
	// there, and IPTC's role codes say nothing a name does not.
	var sources []map[string]string
	for _, c := range s.Credits {
		sources = append(sources, map[string]string{"name": c})
	}
	if len(sources) > 0 {
		d[k("infosources", "infoSources")] = sources
	}
	if len(s.Subjects) > 0 {
		subj := make([]map[string]string, len(s.Subjects))
		for i, c := range s.Subjects {
			subj[i] = map[string]string{"name": c.Label, "literal": c.Term}
		}
		d["subjects"] = subj
	}
	if im := s.Image; im != nil {
		pic := map[string]any{
			"name": "leadimage",
			"uri":  s.URI + "/leadimage",
			"type": "picture",
		}
		if im.Caption != "" {
			pic["headlines"] = []map[string]string{{"role": "caption", "value": im.Caption}}
		}
		if im.Alt != "" {
			pic["descriptions"] = []map[string]string{{"role": "alt", k("contenttype", "contentType"): "text/plain", "value": im.Alt}}
		}
		if im.Credit != "" {
			pic["by"] = im.Credit
			pic[k("copyrightholder", "copyrightHolder")] = im.Credit
		}
		links := s.ImageLinks
		if len(links) == 0 {
			links = []Rendition{{Name: "original", Href: im.URL, Type: im.Type, Width: im.Width, Height: im.Height, Size: im.Length}}
		}
		rends := make([]map[string]any, len(links))
		for i, r := range links {
			m := map[string]any{"name": r.Name, "href": r.Href, k("contenttype", "contentType"): r.Type}
			if r.Width > 0 && r.Height > 0 {
				m["width"], m["height"] = r.Width, r.Height
			}
			if r.Size > 0 {
				m[k("sizeinbytes", "sizeInBytes")] = r.Size
			}
			rends[i] = m
		}
		pic["renditions"] = rends
		d["associations"] = []map[string]any{pic}
	}
	return marshal(d)
}

func itoaOr(n int) string {
	if n <= 0 {
		return "1"
	}
	return itoa(int64(n))
}
