package wire

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

const g2Open = `<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:1" version="2">`

// g2Text is a NewsML-G2 text item around the given contentMeta and
// contentSet.
func g2TextItem(meta, content string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + g2Open +
		`<itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:X"/></itemMeta>` +
		`<contentMeta>` + meta + `</contentMeta><contentSet>` + content + `</contentSet></newsItem>`
}

func nested(open, close string, n int) string {
	return strings.Repeat(open, n) + strings.Repeat(close, n)
}

// hostile are files that must be refused, with the error they must give
// (a prefix of it, or the whole when it ends the string).
var hostile = []struct {
	name, in, want string
}{
	{"empty", "", "wire: the file is empty"},
	{"blank", " \n\t ", "wire: the file is empty"},
	{"binary", "\x89PNG\r\n\x1a\n", "wire: neither JSON nor XML"},
	{"UTF-16", "\xff\xfe<\x00n\x00", "wire: the file is UTF-16"},

	{"JSON not UTF-8", `{"uri":"u","headline":"caf` + "\xe9" + `"}`, "ninjs: the file is not UTF-8"},
	{"JSON lone surrogate", `{"uri":"u","headline":"\ud800x"}`, `ninjs: \uD800 at byte 24 is half a UTF-16 surrogate pair`},
	{"JSON low surrogate first", `{"uri":"u","headline":"\udc00\ud800"}`, `ninjs: \uDC00 at byte 24 is half`},
	{"JSON not well-formed", `{"uri":"u",}`, "ninjs: not well-formed JSON at byte"},
	{"JSON unterminated", `{"uri":"u"`, "ninjs: not well-formed JSON"},
	{"JSON trailing data", `{"uri":"u","headline":"h"} {}`, "ninjs: trailing data after the item, at byte 28"},
	{"JSON trailing garbage", `{"uri":"u","headline":"h"}x`, "ninjs: trailing data after the item"},
	{"JSON duplicate key", `{"uri":"u","headline":"a","headline":"b"}`, `ninjs: the key "headline" is given twice in one object`},
	{"JSON duplicate key by case", `{"uri":"u","headline":"a","versioncreated":"2020-01-01T00:00:00Z","versionCreated":"2021-01-01T00:00:00Z"}`, `ninjs: the key "versionCreated" is given twice`},
	{"JSON duplicate key escaped", `{"uri":"u","headline":"a","h\u0065adline":"b"}`, `ninjs: the key "headline" is given twice`},
	{"JSON duplicate nested", `{"uri":"u","headlines":[{"role":"main","value":"a","value":"b"}]}`, `ninjs: the key "value" is given twice`},
	{"JSON array", `[{"uri":"u","headline":"h"}]`, "ninjs: the file is an array; a ninjs item is an object"},
	{"JSON deep", strings.Repeat(`{"a":`, 150) + "1" + strings.Repeat("}", 150), "ninjs: nested more than 100 deep"},
	{"JSON deep arrays", `{"uri":"u","x":` + nested("[", "]", 200) + `}`, "ninjs: nested more than 100 deep"},
	{"JSON headlines a string", `{"uri":"u","headlines":"h"}`, `ninjs: "headlines" is a string where the schema wants an array`},
	{"JSON uri a number", `{"uri":5,"headline":"h"}`, `ninjs: "uri" is a number where the schema wants a string`},
	{"JSON urgency a string", `{"uri":"u","headline":"h","urgency":"3"}`, `ninjs: "urgency" is a string where the schema wants a whole number`},
	{"JSON renditions a string", `{"uri":"u","type":"picture","renditions":"r"}`, `ninjs: "renditions" is a string where the schema wants an array`},
	{"JSON uri missing", `{"headline":"h"}`, `ninjs: "uri" is required`},
	{"JSON uri blank", `{"uri":"  ","headline":"h"}`, `ninjs: "uri" is required`},
	{"JSON headline missing", `{"uri":"u","type":"text","body_text":"b"}`, `ninjs: "headline" is required for a text item`},
	{"JSON headline missing, type default", `{"uri":"u","headlines":[{"role":"main","value":" "}]}`, `ninjs: "headline" is required for a text item`},
	{"JSON type unknown", `{"uri":"u","type":"bogus","headline":"h"}`, `ninjs: "type" "bogus" is not a ninjs type`},
	{"JSON urgency out of range", `{"uri":"u","headline":"h","urgency":12}`, `ninjs: "urgency": 12 is not from 1 to 9`},
	{"JSON urgency fraction", `{"uri":"u","headline":"h","urgency":1.5}`, `ninjs: "urgency" is a number 1.5 where the schema wants a whole number`},
	{"JSON bad time", `{"uri":"u","headline":"h","versioncreated":"yesterday"}`, `ninjs: "versioncreated": "yesterday" is not a date and time`},
	{"JSON bad embargo", `{"uri":"u","headline":"h","embargoed":"2020-13-01T00:00:00Z"}`, `ninjs: "embargoed": "2020-13-01T00:00:00Z" is not a date and time`},
	{"JSON association without uri", `{"uri":"u","headline":"h","associations":{"p":{"type":"picture"}}}`, `ninjs: associations[p]: "uri" is required`},
	{"JSON negative size", `{"uri":"u","type":"picture","renditions":[{"name":"r","href":"h","width":-1}]}`, `ninjs: rendition "r" has a negative size`},
	{"JSON deep body HTML", `{"uri":"u","headline":"h","body_xhtml":"` + strings.Repeat("<div>", 500) + `x"}`, "ninjs: body: the body's HTML is nested"},
	{"JSON body too long", `{"uri":"u","headline":"h","body_xhtml":"` + strings.Repeat("<p>x", 300_000) + `"}`, "ninjs: body: the body is 1.1 MiB, at most 1 MiB"},
	{"JSON text body too long", `{"uri":"u","headline":"h","body_text":"` + strings.Repeat("x", 2<<20) + `"}`, "ninjs: body: the body is 2 MiB, at most 1 MiB"},
	{"JSON NITF body with DOCTYPE", `{"uri":"u","headline":"h","bodies":[{"contenttype":"application/nitf+xml","value":"<!DOCTYPE nitf [<!ENTITY a \"b\">]><nitf/>"}]}`, "ninjs: body: the NITF body: line 1: entity declarations are refused"},
	{"JSON Schema", `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object"}`, "ninjs: the file is a JSON Schema, not a ninjs item"},

	{"XML not well-formed", g2Open + `<itemMeta></contentMeta></newsItem>`, "newsml-g2: not well-formed: XML syntax error on line 1: element <itemMeta> closed by </contentMeta>"},
	{"XML unclosed", g2Open, "newsml-g2: not well-formed: XML syntax error on line 1: unexpected EOF"},
	{"XML billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>` + g2Open + `<contentMeta><headline>&lol2;</headline></contentMeta></newsItem>`,
		"newsml-g2: line 1: entity declarations are refused"},
	{"XML external entity", "<?xml version=\"1.0\"?>\n<!DOCTYPE newsItem [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n" + g2Open + `<contentMeta><headline>&xxe;</headline></contentMeta></newsItem>`,
		"newsml-g2: line 2: entity declarations are refused"},
	{"XML external DTD", `<!DOCTYPE newsItem SYSTEM "http://example.com/evil.dtd">` + g2Open + `</newsItem>`, "newsml-g2: line 1: DOCTYPE declarations are refused"},
	{"XML entity declaration alone", `<!ENTITY x "y">` + g2Open + `</newsItem>`, "newsml-g2: line 1: entity declarations are refused"},
	{"XML undeclared entity", g2TextItem(`<headline>&xxe;</headline>`, ""), "newsml-g2: not well-formed: XML syntax error on line 1: invalid character entity &xxe;"},
	{"XML not UTF-8", g2TextItem("<headline>caf\xe9</headline>", ""), "newsml-g2: the file is not UTF-8, and declares no encoding that it could be"},
	{"XML encoding not read", `<?xml version="1.0" encoding="Shift_JIS"?>` + g2Open + `</newsItem>`, `newsml-g2: the encoding "shift_jis" is not read (UTF-8, ISO-8859-1, ISO-8859-15 and Windows-1252 are)`},
	{"XML UTF-16 declared", `<?xml version="1.0" encoding="UTF-16"?>` + g2Open + `</newsItem>`, `newsml-g2: the encoding "utf-16" is not read`},
	{"XML deep", g2TextItem(`<headline>h</headline>`, `<inlineXML>`+nested("<div>", "</div>", 150)+`</inlineXML>`), "newsml-g2: line 1: elements nested more than 100 deep"},
	{"XML two roots", g2Open + `</newsItem>` + g2Open + `</newsItem>`, "newsml-g2: not well-formed: content after the root element"},
	{"XML text after root", g2Open + `</newsItem>junk`, "newsml-g2: not well-formed: text outside the root element"},
	{"XML no root", `<?xml version="1.0"?>`, "newsml-g2: not well-formed: no root element"},
	{"XML guid missing", `<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"><itemMeta><itemClass qcode="ninat:text"/></itemMeta><contentMeta><headline>h</headline></contentMeta></newsItem>`, "newsml-g2: <newsItem>: the guid attribute is required"},
	{"XML headline missing", g2TextItem(`<slugline>s</slugline>`, ""), "newsml-g2: <newsItem>: <headline> is required for a text item"},
	{"XML urgency a word", g2TextItem(`<urgency>high</urgency><headline>h</headline>`, ""), `newsml-g2: <newsItem>: <urgency>: "high" is not a number`},
	{"XML urgency out of range", g2TextItem(`<urgency>0</urgency><headline>h</headline>`, ""), `newsml-g2: <newsItem>: <urgency>: 0 is not from 1 to 9`},
	{"XML bad time", `<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g"><itemMeta><itemClass qcode="ninat:text"/><versionCreated>soon</versionCreated></itemMeta><contentMeta><headline>h</headline></contentMeta></newsItem>`,
		`newsml-g2: <newsItem>: <versionCreated>: "soon" is not a date and time`},
	{"XML bad size", `<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g"><itemMeta><itemClass qcode="ninat:picture"/></itemMeta><contentSet><remoteContent href="a.jpg" width="wide"/></contentSet></newsItem>`,
		`newsml-g2: <newsItem>: <remoteContent> width: "wide" is not a size in pixels`},
	{"XML message item without headline", `<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>` + strings.TrimPrefix(g2TextItem("<headline>h</headline>", ""), `<?xml version="1.0" encoding="UTF-8"?>`) +
		`<newsItem guid="b"><itemMeta><itemClass qcode="ninat:text"/></itemMeta></newsItem></itemSet></newsMessage>`, "newsml-g2: item 2, <newsItem>: <headline> is required for a text item"},
	{"XML too many items", `<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>` + strings.Repeat(`<newsItem guid="g"/>`, MaxItems+1) + `</itemSet></newsMessage>`,
		"newsml-g2: the newsMessage carries more than 1000 items"},
	{"XML body too long", g2TextItem(`<headline>h</headline>`, `<inlineXML><p>`+strings.Repeat("x", 1<<20)+`</p></inlineXML>`), "newsml-g2: <newsItem>: the body: the body is 1.0 MiB, at most 1 MiB"},
	{"XML too many elements", g2TextItem(strings.Repeat(`<subject/>`, maxElements), ""), "newsml-g2: more than 100000 elements"},
	{"XML other namespace", `<rss version="2.0"><channel/></rss>`, `wire: <rss> in namespace "" is neither NewsML-G2 nor ninjs`},
	{"XML concept item", `<conceptItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g"/>`, "newsml-g2: a <conceptItem> is not news: only newsItem, packageItem and newsMessage are read"},
	{"XML Schema", `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>`, "wire: the file is an XML Schema, not news"},
}

func TestHostile(t *testing.T) {
	for _, c := range hostile {
		t.Run(c.name, func(t *testing.T) {
			items, err := Parse([]byte(c.in))
			if err == nil {
				t.Fatalf("no error; items %+v", items)
			}
			if items != nil {
				t.Errorf("items beside the error: %+v", items)
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error %q\nwant   %q", err, c.want)
			}
		})
	}
}

func TestSizeLimit(t *testing.T) {
	big := bytes.Repeat([]byte(" "), 11<<20)
	if _, err := Parse(big); err == nil || err.Error() != "wire: 11 MiB, at most 10 MiB" {
		t.Errorf("11 MiB: %v", err)
	}
	// At the limit the size is no reason to refuse.
	atLimit := append([]byte(`{"uri":"u","headline":"h"}`), bytes.Repeat([]byte(" "), MaxSize-26)...)
	if _, err := Parse(atLimit); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	if _, err := Parse(append(atLimit, ' ')); err == nil || !strings.HasPrefix(err.Error(), "wire: 10.0 MiB, at most 10 MiB") {
		t.Errorf("a byte over: %v", err)
	}
}

// A newsMessage at the limit goes in whole.
func TestMessageLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header><sender>agency.example</sender></header><itemSet>`)
	for i := range MaxItems {
		fmt.Fprintf(&b, `<newsItem guid="g%d"><itemMeta><itemClass qcode="ninat:text"/></itemMeta><contentMeta><headline>H %d</headline></contentMeta></newsItem>`, i, i)
	}
	b.WriteString(`</itemSet></newsMessage>`)
	items, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != MaxItems || items[999].Headline != "H 999" || items[0].Provider != "agency.example" {
		t.Errorf("%d items, last %+v", len(items), items[len(items)-1])
	}
}

// Declared Western single-byte encodings are converted, not refused.
func TestLatin1(t *testing.T) {
	for _, enc := range []string{"ISO-8859-1", "windows-1252", "iso-8859-15"} {
		in := `<?xml version="1.0" encoding="` + enc + `"?>` + g2Open +
			`<itemMeta><itemClass qcode="ninat:text"/></itemMeta><contentMeta><headline>Caf` + "\xe9" + ` in Z` + "\xfc" + `rich</headline></contentMeta></newsItem>`
		items, err := Parse([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		if items[0].Headline != "Café in Zürich" {
			t.Errorf("%s: headline %q", enc, items[0].Headline)
		}
	}
}

func TestTimes(t *testing.T) {
	for in, want := range map[string]string{
		"2018-10-21T16:25:32-05:00":     "2018-10-21T21:25:32Z",
		"2018-10-19T11:17:00.150Z":      "2018-10-19T11:17:00.15Z",
		" 2018-10-12T06:42:04Z ":        "2018-10-12T06:42:04Z",
		"2018-10-12T06:42:04":           "2018-10-12T06:42:04Z",
		"2018-10-12T06:42:04.5":         "2018-10-12T06:42:04.5Z",
		"2018-10-12T06:42:04+0200":      "2018-10-12T04:42:04Z",
		"2018-10-12T06:42+02:00":        "2018-10-12T04:42:00Z",
		"2018-10-12T06:42":              "2018-10-12T06:42:00Z",
		"2019-05-10T16:02:28.123+02:00": "2019-05-10T14:02:28.123Z",
	} {
		got, err := parseTime(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if s := got.UTC().Format(time.RFC3339Nano); s != want {
			t.Errorf("%q: %s, want %s", in, s, want)
		}
	}
	for _, in := range []string{"2018-10-12", "12/10/2018", "2018-10-12T25:00:00Z", "now"} {
		if _, err := parseTime(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// Items in a G2 message and embargo, urgency, dateline, by and subjects
// in the languages given.
func TestG2Metadata(t *testing.T) {
	in := `<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header><sender>x.example</sender></header><itemSet>
	<newsItem guid="a" version="3" xml:lang="de" embargoed="2030-01-01T08:00:00+01:00"><itemMeta><itemClass qcode="ninat:text"/><provider><name>Agentur</name></provider>
	<link rel="irel:self" href="https://agentur.example/a"/></itemMeta>
	<contentMeta><urgency>2</urgency><located><name>Köln</name></located><dateline>KÖLN, 3. Mai</dateline>
	<by>Von A. Autorin</by><creator><name>Nicht Hier</name></creator>
	<subject qcode="medtop:1"><name xml:lang="en">politics</name><name xml:lang="de-DE">Politik</name></subject>
	<headline xml:lang="en">In English</headline><headline xml:lang="de">Auf Deutsch</headline>
	<description role="drol:summary">Kurz.</description></contentMeta>
	<contentSet><inlineData contenttype="text/plain">Erster Absatz.
Zweiter Absatz.</inlineData></contentSet></newsItem>
	<newsItem guid="b"><itemMeta><itemClass qcode="ninat:text"/><embargoed>2031-02-03T04:05:06Z</embargoed></itemMeta><contentMeta><headline>B</headline></contentMeta></newsItem>
	<packageItem guid="p"><groupSet root="G"><group id="G"><itemRef residref="a"/><itemRef residref="elsewhere"><itemClass qcode="ninat:text"/><title xml:lang="fr">Ailleurs</title></itemRef><itemRef residref="untitled"><itemClass qcode="ninat:text"/></itemRef></group></groupSet></packageItem>
	</itemSet></newsMessage>`
	items, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("%d items: %+v", len(items), items)
	}
	a := items[0]
	if a.Headline != "Auf Deutsch" || a.Language != "de" || a.Provider != "Agentur" || a.Version != "3" || a.Urgency != 2 ||
		a.Dateline != "KÖLN, 3. Mai" || len(a.Bylines) != 1 || a.Bylines[0] != "Von A. Autorin" ||
		len(a.Subjects) != 1 || a.Subjects[0] != "Politik" || a.Summary != "Kurz." || a.Source != "https://agentur.example/a" ||
		a.Body != "Erster Absatz.\n\nZweiter Absatz." || !a.Embargo.Equal(time.Date(2030, 1, 1, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("a: %+v", a)
	}
	if b := items[1]; !b.Embargo.Equal(time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)) || b.Provider != "x.example" || b.Version != "1" {
		t.Errorf("b: %+v", b)
	}
	if r := items[2]; !r.Reference || r.GUID != "elsewhere" || r.Headline != "Ailleurs" || r.Language != "fr" || r.Provider != "x.example" {
		t.Errorf("reference: %+v", r)
	}
}

func TestNinjsMetadata(t *testing.T) {
	in := `{"uri":"urn:x","type":"composite","embargoedUntil":"2030-05-06T07:08:09Z","urgency":1,
	"headlines":[{"role":"sub","value":"Sub"},{"role":"main","value":"Main"}],
	"people":[{"name":"Ann Author","rel":"author"},{"name":"Not Me","rel":"mentions"}],
	"places":[{"name":"Mentioned","rel":"mentions"},{"name":"Kyiv"}],
	"bodies":[{"contenttype":"text/plain","value":"plain"}],
	"standard":{"name":"ninjs","version":"3.1","schema":"https://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"}}`
	items, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	it := items[0]
	if it.Type != "text" || it.Headline != "Main" || it.Format != "ninjs 3.x" || it.Urgency != 1 ||
		!it.Embargo.Equal(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)) || len(it.Bylines) != 1 || it.Bylines[0] != "Ann Author" ||
		it.Dateline != "Kyiv" || it.Body != "plain" || it.Provider != "" || it.Source != "" {
		t.Errorf("%+v", it)
	}
	// 2.x "embargoed", told apart by its fields.
	items, err = Parse([]byte(`{"uri":"https://a.example/1","headlines":[{"value":"H"}],"embargoed":"2030-01-01T00:00:00+03:00"}`))
	if err != nil {
		t.Fatal(err)
	}
	if it := items[0]; it.Format != "ninjs 2.x" || !it.Embargo.Equal(time.Date(2029, 12, 31, 21, 0, 0, 0, time.UTC)) || it.Provider != "a.example" {
		t.Errorf("%+v", it)
	}
}

// A million subjects cost neither time nor a list of a million.
func TestManySubjects(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"uri":"u","headline":"h","subjects":[`)
	for i := range 200_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"s%d"}`, i)
	}
	b.WriteString(`]}`)
	start := time.Now()
	items, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(items[0].Subjects); n != maxList || time.Since(start) > 5*time.Second {
		t.Errorf("%d subjects in %v", n, time.Since(start))
	}
}
