package wire

import (
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// richHTML has what a story's body is made of: paragraphs, subheads,
// lists, links, quotes, emphasis, a table and a line break.
const richHTML = `<h2>Subhead</h2><p>First <em>para</em> with a <a href="https://example.org/a?b=1&amp;c=2">link</a> and <strong>bold</strong>.</p>
<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>
<blockquote><p>Quoted words.</p></blockquote><p>Line<br/>break, and 1. not a list, # not a heading, *not emphasis*.</p>
<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>`

// markdownWants are the Markdown each part must become.
var markdownWants = []string{
	"## Subhead",
	"First *para* with a [link](https://example.org/a?b=1&c=2) and **bold**.",
	"- one\n- two",
	"1. first\n2. second",
	"> Quoted words.",
	"| A | B |",
}

func checkMarkdown(t *testing.T, md string, wants []string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(md, w) {
			t.Errorf("the Markdown has no %q:\n%s", w, md)
		}
	}
	for _, bad := range []string{"<p>", "<ul>", "&amp;", "<br"} {
		if strings.Contains(md, bad) {
			t.Errorf("the Markdown keeps %q:\n%s", bad, md)
		}
	}
}

func TestMarkdownNinjsHTML(t *testing.T) {
	in := `{"uri":"u","headlines":[{"value":"H"}],"bodies":[{"role":"text","contenttype":"text/plain","value":"plain loses"},{"contenttype":"text/html","value":` +
		jsonString(richHTML) + `}]}`
	items, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	checkMarkdown(t, items[0].Body, markdownWants)
	// Text that would be Markdown syntax stays text.
	if !strings.Contains(items[0].Body, `\*not emphasis\*`) {
		t.Errorf("asterisks not escaped:\n%s", items[0].Body)
	}
}

func TestMarkdownG2XHTML(t *testing.T) {
	in := g2TextItem(`<headline>H</headline>`, `<inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><head><title>H</title></head><body>`+
		strings.ReplaceAll(richHTML, "&amp;", "&amp;")+`<script>alert(1)</script></body></html></inlineXML>`)
	items, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	checkMarkdown(t, items[0].Body, markdownWants)
	if strings.Contains(items[0].Body, "alert") || strings.HasPrefix(items[0].Body, "H") {
		t.Errorf("head or script came through:\n%s", items[0].Body)
	}
}

func TestMarkdownG2NITF(t *testing.T) {
	in := g2TextItem(`<headline>Storm hits coast</headline>`, `<inlineXML contenttype="application/nitf+xml">
<nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><head><title>Storm</title><docdata><doc-id id-string="x"/></docdata></head>
<body><body.head><hedline><hl1>Storm hits coast</hl1></hedline><byline>By <person>Jane Doe</person>, <byttl>Correspondent</byttl></byline>
<dateline><location>ODESA</location>, <story.date>May 3</story.date></dateline><abstract><p>A short abstract.</p></abstract></body.head>
<body.content><p>The storm <em>arrived</em> at <a href="https://example.org/s">dawn</a>.</p>
<hl2>What happened</hl2><block><p>Inside a block.</p><ul><li>roofs</li><li>trees</li></ul></block>
<bq><block><p>We lost everything.</p></block><credit>A resident</credit></bq>
<media media-type="image"><media-reference source="https://img.example/storm-big.jpg" mime-type="image/jpeg" width="2000" height="1000" alternate-text="Waves over the pier"/>
<media-reference source="https://img.example/storm-small.jpg" mime-type="image/jpeg" width="200" height="100"/>
<media-caption>Waves hit the pier.</media-caption><media-producer>Photo: Ivan</media-producer></media>
<table><tr><td>wind</td><td>120 km/h</td></tr></table></body.content>
<body.end><tagline>Reporting by Jane Doe.</tagline></body.end></body></nitf></inlineXML>`)
	items, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	it := items[0]
	t.Logf("NITF as Markdown:\n%s", it.Body)
	checkMarkdown(t, it.Body, []string{
		"The storm *arrived* at [dawn](https://example.org/s).",
		"## What happened",
		"Inside a block.",
		"- roofs\n- trees",
		"> We lost everything.",
		"A resident",
		"![Waves over the pier](https://img.example/storm-big.jpg)",
		"Waves hit the pier.",
		"Reporting by Jane Doe.",
	})
	if strings.Contains(it.Body, "Storm hits coast") || strings.Contains(it.Body, "Correspondent") || strings.Contains(it.Body, "abstract") {
		t.Errorf("body.head came into the body:\n%s", it.Body)
	}
	if len(it.Bylines) != 1 || it.Bylines[0] != "By Jane Doe, Correspondent" {
		t.Errorf("Bylines %q", it.Bylines)
	}
	if it.Summary != "A short abstract." || it.Dateline != "ODESA, May 3" {
		t.Errorf("Summary %q, Dateline %q", it.Summary, it.Dateline)
	}
	if len(it.Pictures) != 1 || it.Pictures[0].Renditions[0].Width != 2000 || it.Pictures[0].Caption != "Waves hit the pier." ||
		it.Pictures[0].Credit != "Photo: Ivan" || it.Pictures[0].Alt != "Waves over the pier" {
		t.Errorf("Pictures %+v", it.Pictures)
	}
}

func TestMarkdownPlainText(t *testing.T) {
	items, err := Parse([]byte(`{"uri":"u","headline":"H","body_text":"1. Not a list\n\n# not a heading\r\nthird <b>line</b>"}`))
	if err != nil {
		t.Fatal(err)
	}
	// Markup in plain text is text: Markdown renderers show &lt;b&gt; as "<b>".
	want := "1\\. Not a list\n\n\\# not a heading\n\nthird &lt;b&gt;line&lt;/b&gt;"
	if got := items[0].Body; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
}

func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// TestWireMakesNoBlocks: code in an agency's copy whose language names a
// kind of block stays code in the draft, whichever way it comes (HTML,
// plain text with fences typed in it, inside a list or a quote), and
// ordinary code keeps its language.
func TestWireMakesNoBlocks(t *testing.T) {
	photo := "media: 1\nalt: An agency's photo"
	for _, c := range []struct {
		name, item string
	}{
		{"html pre", `{"uri":"u","headline":"H","body_html":` + jsonString(`<p>Text.</p><pre><code class="language-photo">`+photo+`</code></pre>`) + `}`},
		{"html embed in a list", `{"uri":"u","headline":"H","body_html":` + jsonString(`<ul><li><p>One</p><pre><code class="language-embed">url: https://t.me/x/1
provider: telegram</code></pre></li></ul>`) + `}`},
		{"html quote", `{"uri":"u","headline":"H","body_html":` + jsonString(`<blockquote><pre><code class="language-factbox">title: T

text</code></pre></blockquote>`) + `}`},
		{"plain text fences", `{"uri":"u","headline":"H","body_text":` + jsonString("```photo\n"+photo+"\n```") + `}`},
		{"g2 xhtml", g2TextItem(`<headline>H</headline>`, `<inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><body><pre><code class="language-gallery">`+photo+`</code></pre></body></html></inlineXML>`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			items, err := Parse([]byte(c.item))
			if err != nil {
				t.Fatal(err)
			}
			body := items[0].Body
			if found := kolokol.FindBlocks(body); len(found) != 0 {
				t.Errorf("the wire body holds %d blocks: %+v\n%s", len(found), found, body)
			}
			if strings.HasPrefix(c.name, "html") && !strings.Contains(body, "wire-") {
				t.Errorf("the code block lost its fence or its info string:\n%s", body)
			}
		})
	}
	items, err := Parse([]byte(`{"uri":"u","headline":"H","body_html":` + jsonString(`<pre><code class="language-go">x := 1</code></pre>`) + `}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(items[0].Body, "```go\n") {
		t.Errorf("ordinary code lost its language:\n%s", items[0].Body)
	}
}
