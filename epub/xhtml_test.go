package epub

import (
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
)

func TestXHTML(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"paragraphs", "<p>one<p>two", "<p>one</p><p>two</p>"},
		{"unclosed inline", "<p>a <b>bold <i>both</p>", "<p>a <b>bold <i>both</i></b></p>"},
		{"br and void", "a<br>b<hr><img src=i1.jpg alt=x><wbr>", `a<br/>b<hr/><img src="i1.jpg" alt="x"/><wbr/>`},
		{"closing br", "a</br>b", "a<br/>b"},
		{"attribute quotes and ampersands", `<a href="https://x.example/?a=1&amp;b=2" title='say "hi" & <go>'>x</a>`,
			`<a href="https://x.example/?a=1&amp;b=2" title="say &quot;hi&quot; &amp; &lt;go&gt;">x</a>`},
		{"unquoted attribute with ampersand", `<a href=https://x.example/?a=1&b=2>x</a>`, `<a href="https://x.example/?a=1&amp;b=2">x</a>`},
		{"entities as characters", "a&nbsp;b&mdash;c &copy; &hellip;&#x41;&#66;", "a\u00a0b—c © …AB"},
		{"bare ampersand and less-than", "fish & chips < 3", "fish &amp; chips &lt; 3"},
		{"script removed", "<p>a<script>alert('x')</script>b</p>", "<p>ab</p>"},
		{"style removed", "<style>p{color:red}</style><p>a</p>", "<p>a</p>"},
		{"event and unknown attributes removed", `<p onclick="x()" style="color:red" data-x="1" class=" lead  big ">a</p>`, `<p class="lead big">a</p>`},
		{"javascript link loses href", `<a href="javascript:alert(1)">x</a>`, "<a>x</a>"},
		{"data link loses href", `<a href="data:text/html,hi">x</a>`, "<a>x</a>"},
		{"remote image dropped", `<p><img src="https://tracker.example/p.gif" alt="p">x</p>`, "<p>x</p>"},
		{"image without source dropped", `<img alt="x">`, ""},
		{"comment removed", "a<!-- secret -- note -->b", "ab"},
		{"CDATA-ish text", "<p><![CDATA[x < y]]>z</p>", "<p>z</p>"},
		{"CDATA end in text", "<p>]]&gt; and ]]></p>", "<p>]]&gt; and ]]&gt;</p>"},
		{"control characters removed", "a\x00b\x01c\x08d\x0be\x1ff\tg\u0085h\ufffei", "abcdef\tg\u0085hi"},
		{"control character references removed", "a&#1;b&#xFFFF;c", "abc"},
		{"carriage return as a line feed", "a\rb", "a\nb"},
		{"non-UTF-8 bytes", "caf\xe9 \xff\xfeok", "caf\ufffd \ufffdok"},
		{"lang and dir", `<p lang="fa" dir="RTL">سلام</p><span lang="not a tag" dir="sideways">x</span>`,
			`<p xml:lang="fa" lang="fa" dir="rtl">سلام</p><span>x</span>`},
		{"ids unique and XML names", `<h2 id="a">1</h2><h2 id="a">2</h2><h2 id="1x">3</h2><h2 id="x y">4</h2>`,
			`<h2 id="a">1</h2><h2>2</h2><h2>3</h2><h2>4</h2>`},
		{"block in span", "<span>a<div>b</div>c</span>", "<span>a</span><div><span>b</span></div><span>c</span>"},
		{"block in heading", "<h2>a<div>b</div></h2>", "<h2>ab</h2>"},
		{"unclosed bold around a list", "<b>x<ul><li>y</ul>", "<b>x</b><ul><li><b>y</b></li></ul>"},
		{"split element keeps one id", `<span id="s">a<div>b</div>c</span>`, `<span id="s">a</span><div><span>b</span></div><span>c</span>`},
		{"text in a list", "<ul>loose<li>item</ul>", "<ul><li>loose</li><li>item</li></ul>"},
		{"paragraph in a list", "<ol><p>p</p></ol>", "<ol><li><p>p</p></li></ol>"},
		{"stray list item", "<li>x</li>", "x"},
		{"definition list", "<dl><dt>t<dd>d</dl>", "<dl><dt>t</dt><dd>d</dd></dl>"},
		{"definition before term", "<dl><dd>d<dt>t</dl>", "<div><div>d</div><div>t</div></div>"},
		{"figure caption in the middle", "<figure><p>a</p><figcaption>c</figcaption><p>b</p></figure>", "<figure><p>a</p><div>c</div><p>b</p></figure>"},
		{"figure with caption", `<figure><img src="i.png" alt=""><figcaption>c</figcaption></figure>`, `<figure><img src="i.png" alt=""/><figcaption>c</figcaption></figure>`},
		{"table", `<table><tr><th scope=COL colspan=2>h<tr><td rowspan=x>d</table>`,
			`<table><tbody><tr><th scope="col" colspan="2">h</th></tr><tr><td>d</td></tr></tbody></table>`},
		{"table parts in order", `<table><tbody><tr><td>b</td></tr></tbody><thead><tr><th>h</th></tr></thead><tfoot><tr><td>f</td></tr></tfoot><thead><tr><td>h2</td></tr></thead><caption>c</caption><caption>c2</caption></table>`,
			`<table><caption>c</caption><thead><tr><th>h</th></tr></thead><tbody><tr><td>b</td></tr></tbody><tbody><tr><td>h2</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>`},
		{"figure caption after text", "<figure>text<figcaption>c</figcaption>more</figure>", "<figure>text<div>c</div>more</figure>"},
		{"time unwrapped", `<p><time datetime="2026-12-01">today</time></p>`, "<p>today</p>"},
		{"item number only in an ordered list", `<ul><li value="3">a</li></ul>`, "<ul><li>a</li></ul>"},
		{"ordered list attributes", `<ol start=" 4" reversed type=x><li value=2>a</ol>`, `<ol start="4" reversed="reversed"><li value="2">a</li></ol>`},
		{"image size", `<img src="i.jpg" width="120" height="-1">`, `<img src="i.jpg" width="120"/>`},
		{"form and media dropped with content", `<form><input value=x><button>b</button></form><video><p>v</p></video><iframe>f</iframe>t`, "t"},
		{"svg and math dropped", `<svg><circle r=1 /></svg><math><mi>x</mi></math>t`, "t"},
		{"unknown element unwrapped", "<custom-tag>a<font color=red>b</font></custom-tag>", "ab"},
		{"pre keeps whitespace", "<pre>\n  a\n  b</pre>", "<pre>  a\n  b</pre>"},
		{"link kinds", `<a href="a2.xhtml#x">1</a><a href="mailto:ed@example.org">2</a><a href="//evil.example/">3</a><a href="#bad id">4</a>`,
			`<a href="a2.xhtml#x">1</a><a href="mailto:ed@example.org">2</a><a>3</a><a>4</a>`},
		{"url re-escaped", `<a href="https://x.example/a b">x</a>`, `<a href="https://x.example/a%20b">x</a>`},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := XHTML(tc.in)
			if err != nil {
				t.Fatalf("XHTML(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("XHTML(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if err := wellFormed(got); err != nil {
				t.Errorf("XHTML(%q) = %q: %v", tc.in, got, err)
			}
		})
	}
}

func TestXHTMLRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"too deep", strings.Repeat("<div>", maxDepth+10), "deeper than the limit"},
		{"too long", strings.Repeat("a", maxFragment+1), "more than the limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := XHTML(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("XHTML = %.40q, %v; want an error with %q", out, err, tc.want)
			}
		})
	}
}

// wellFormed parses s with encoding/xml's strict decoder inside a
// wrapping element, and checks that what it holds is what XHTML keeps.
func wellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader(`<body xmlns="http://www.w3.org/1999/xhtml">` + s + `</body>`))
	d.Strict = true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local == "body" {
			continue
		}
		spec, known := elements[se.Name.Local]
		if !known {
			return errors.New("element <" + se.Name.Local + "> is not one XHTML keeps")
		}
		seen := map[xml.Name]bool{}
		for _, a := range se.Attr {
			if seen[a.Name] {
				return errors.New("attribute " + a.Name.Local + " twice")
			}
			seen[a.Name] = true
			k := a.Name.Local
			switch k {
			case "id", "class", "title", "lang", "dir":
				continue
			case "href":
				u, err := url.Parse(a.Value)
				if err != nil {
					return err
				}
				if s := u.Scheme; s != "" && s != "http" && s != "https" && s != "mailto" {
					return errors.New("link to " + a.Value)
				}
				continue
			}
			if !contains(spec.attrs, k) {
				return errors.New("attribute " + k + " on <" + se.Name.Local + "> is not one XHTML keeps")
			}
		}
	}
}

func FuzzXHTML(f *testing.F) {
	for _, s := range []string{
		"<p>one<p>two", "<b>x<ul><li>y</ul>", tortureBody,
		`<a href="javascript:x" onclick=y>z</a><script>s</script>`,
		"<table><tr><td>a<td>b</table>", "<dl><dd>d<dt>t</dl>",
		"<figure><figcaption>a</figcaption><figcaption>b</figcaption></figure>",
		"a\x00\x01\xff&#1;&nbsp;", "<svg><script>x</script></svg>", "<![CDATA[x]]>",
		`<img src="i.jpg" alt="&quot;">`, "<span><div><ul><li><b>x<p>y</ul></div></span>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := XHTML(in)
		if err != nil {
			return
		}
		if err := wellFormed(out); err != nil {
			t.Fatalf("XHTML(%q) = %q: %v", in, out, err)
		}
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Fatalf("XHTML(%q) = %q holds a script", in, out)
		}
	})
}
