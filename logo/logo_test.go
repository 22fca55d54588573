package logo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const svgOpen = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">`

// doc wraps shapes in the root element every case shares.
func doc(inner string) string { return svgOpen + inner + `</svg>` }

type sanitizeCase struct {
	name    string
	in      string
	err     string // the whole error, when Sanitize must refuse
	viewBox string // when not "0 0 10 10"
	inner   string
	dropped []string
}

func cases() []sanitizeCase {
	nested := func(n int) string {
		return svgOpen + strings.Repeat("<g>", n-2) + `<path d="M0 0h1"/>` + strings.Repeat("</g>", n-2) + `</svg>`
	}
	var many strings.Builder
	var manyDropped []string
	for i := range 150 {
		name := "x" + strconv.Itoa(i)
		many.WriteString("<" + name + "/>")
		if i < 100 {
			manyDropped = append(manyDropped, "<"+name+">")
		}
	}
	manyDropped = append(manyDropped, "and more")
	return []sanitizeCase{
		{
			name:    "script",
			in:      doc(`<script>alert(1)</script><path d="M0 0h10v10z"/>`),
			inner:   `<path d="M0 0h10v10z"/>`,
			dropped: []string{"<script>"},
		},
		{
			name:    "script in CDATA inside a shape",
			in:      doc(`<path d="M0 0h10v10z"><script><![CDATA[alert(1)]]></script></path>`),
			inner:   `<path d="M0 0h10v10z"/>`,
			dropped: []string{"<script>"},
		},
		{
			name:    "onload on the root and onclick on a shape",
			in:      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><rect width="5" height="5" onclick="alert(2)" onmouseover="x()"/></svg>`,
			inner:   `<rect width="5" height="5"/>`,
			dropped: []string{"attribute onload", "attribute onclick", "attribute onmouseover"},
		},
		{
			name: "javascript: hrefs",
			in: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">` +
				`<a href="javascript:alert(1)"><path d="M0 0L9 9"/></a>` +
				`<path d="M1 1L9 9" xlink:href="javascript:alert(2)" href="javascript:alert(3)" stroke="red"/></svg>`,
			inner:   `<path d="M1 1L9 9" stroke="red"/>`,
			dropped: []string{"<a>", "attribute xlink:href", "attribute href"},
		},
		{
			name:    "use of another host's drawing",
			in:      doc(`<use href="http://evil.example/sprite.svg#logo"/><circle cx="5" cy="5" r="4"/>`),
			inner:   `<circle cx="5" cy="5" r="4"/>`,
			dropped: []string{"<use>"},
		},
		{
			name:    "image",
			in:      doc(`<image href="https://tracker.example/pixel.png" width="1" height="1"/><circle r="2"/>`),
			inner:   `<circle r="2"/>`,
			dropped: []string{"<image>"},
		},
		{
			name: "foreignObject with HTML",
			in: doc(`<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">` +
				`<script>alert(1)</script><iframe src="http://evil.example/"></iframe></div></foreignObject>` +
				`<ellipse cx="5" cy="5" rx="4" ry="2"/>`),
			inner:   `<ellipse cx="5" cy="5" rx="4" ry="2"/>`,
			dropped: []string{"<foreignObject>"},
		},
		{
			name: "style element and style attribute with url()",
			in: doc(`<style>path{fill:url(http://evil.example/x)}</style>` +
				`<path d="M0 0h5v5z" style="fill:url(#g);stroke:red" class="c" id="p"/>`),
			inner:   `<path d="M0 0h5v5z" stroke="red"/>`,
			dropped: []string{"<style>", "attribute class", "attribute id", "url() reference in fill"},
		},
		{
			name:    "url() in presentation attributes, also spelled with a character reference",
			in:      doc(`<rect width="1" height="1" fill="url(http://evil.example/)" stroke="&#x75;rl(#x)"/>`),
			inner:   `<rect width="1" height="1"/>`,
			dropped: []string{"url() reference in fill", "url() reference in stroke"},
		},
		{
			name: "gradients, filters, masks, animation, text",
			in: doc(`<defs><linearGradient id="g"/></defs><radialGradient id="r"/><filter id="f"/><mask id="m"/>` +
				`<clipPath id="c"/><symbol id="s"/><g><animate attributeName="x"/><set attributeName="y"/>` +
				`<animateTransform attributeName="transform"/><text>Kolokol</text><title>t</title><desc>d</desc>` +
				`<polygon points="0,0 10,0 5,8"/></g>`),
			inner: `<g><polygon points="0,0 10,0 5,8"/></g>`,
			dropped: []string{"<defs>", "<radialGradient>", "<filter>", "<mask>", "<clipPath>", "<symbol>",
				"<animate>", "<set>", "<animateTransform>", "<text>", "<title>", "<desc>"},
		},
		{
			name:    "elements inside shapes",
			in:      doc(`<rect width="2" height="2"><circle r="1"/><animate attributeName="width"/></rect>`),
			inner:   `<rect width="2" height="2"/>`,
			dropped: []string{"<circle>", "<animate>"},
		},
		{
			name: "elements and attributes in other namespaces",
			in: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://example.com/x" viewBox="0 0 10 10">` +
				`<x:path d="M0 0h1"/><path x:d="M0 0" d="M1 1h1" xml:space="preserve"/><path xmlns="http://example.com/y" d="M2 2"/></svg>`,
			inner:   `<path d="M1 1h1"/>`,
			dropped: []string{"<x:path>", "attribute x:d", "attribute xml:space", "<path>"},
		},
		{
			name:    "svg with a prefix",
			in:      `<svg:svg xmlns:svg="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><svg:g><svg:line x2="10" y2="10"/></svg:g></svg:svg>`,
			inner:   `<g><line x2="10" y2="10"/></g>`,
			dropped: nil,
		},
		{
			name:    "no namespace at all",
			in:      `<svg viewBox="0 0 10 10"><polyline points="0,0 5,5"/></svg>`,
			inner:   `<polyline points="0,0 5,5"/>`,
			dropped: nil,
		},
		{
			name:    "nested svg",
			in:      doc(`<svg viewBox="0 0 1 1"><path d="M0 0h1"/></svg><path d="M0 0h2"/>`),
			inner:   `<path d="M0 0h2"/>`,
			dropped: []string{"<svg>"},
		},
		{
			name:    "text, comments and CDATA go without a word",
			in:      doc(`hello <!-- a comment --><![CDATA[ <script>alert(1)</script> ]]><path d="M0 0h1"/>`),
			inner:   `<path d="M0 0h1"/>`,
			dropped: nil,
		},
		{
			name: "values: canonical forms",
			in: doc(`<g transform=" translate(10) ,rotate(45, 5 ,5)  scale(2)matrix(1 0 0 1 0 0) skewX(-1e1)" fill-rule="evenodd">` +
				`<rect x="010.50px" y="-.5" width="3PX" height="+2" rx="1e-1" fill="#ABC" stroke="RGB( 255 , 0 , 0 )" opacity="0.5"/>` +
				`<path d="M 0,0
				  L 5 5	Z" fill="CurrentColor" stroke="rgba(10%,20%,30%,0.5)" stroke-linecap="round" stroke-miterlimit="4"/></g>`),
			inner: `<g transform="translate(10) rotate(45 5 5) scale(2) matrix(1 0 0 1 0 0) skewX(-10)" fill-rule="evenodd">` +
				`<rect x="10.5" y="-0.5" width="3" height="2" rx="0.1" fill="#abc" stroke="rgb(255,0,0)" opacity="0.5"/>` +
				`<path d="M 0,0 L 5 5 Z" fill="currentColor" stroke="rgba(10%,20%,30%,0.5)" stroke-linecap="round" stroke-miterlimit="4"/></g>`,
		},
		{
			name: "values: invalid ones go",
			in: doc(`<rect width="10%" height="2" x="Inf" y="0x10" rx="NaN" ry="1_0" fill="expression(alert(1))" ` +
				`stroke="red;background:blue" stroke-width="-1" opacity="50%" fill-rule="odd" transform="translate(1,2) eval(3)"/>` +
				`<path d="M0 0 &lt;script&gt;" stroke-linejoin="round;x" stroke-opacity="1e999"/><circle r="1" stroke="#12345"/>` +
				`<polygon points="0,0 1,1 a"/><line x2="1" stroke="&quot;red&quot;"/>`),
			inner: `<rect height="2"/><path/><circle r="1"/><polygon/><line x2="1"/>`,
			dropped: []string{"invalid width", "invalid x", "invalid y", "invalid rx", "invalid ry", "invalid fill",
				"invalid stroke", "invalid stroke-width", "invalid opacity", "invalid fill-rule", "invalid transform",
				"invalid d", "invalid stroke-linejoin", "invalid stroke-opacity", "invalid points"},
		},
		{
			name:    "values: mixed rgb(), a miter limit below 1",
			in:      doc(`<rect width="1" height="1" fill="rgb(10%,20,30)" stroke="rgba(1,2,3,50%)" stroke-miterlimit="0.5"/>`),
			inner:   `<rect width="1" height="1" stroke="rgba(1,2,3,50%)"/>`,
			dropped: []string{"invalid fill", "invalid stroke-miterlimit"},
		},
		{
			name:    "a hundred things dropped, then no more are listed",
			in:      doc(`<path d="M0 0h1"/>` + many.String()),
			dropped: manyDropped,
		},
		{
			name:    "long names are clipped",
			in:      doc(`<path d="M0 0h1" ` + strings.Repeat("a", 60) + `="1"/>`),
			dropped: []string{"attribute " + strings.Repeat("a", 40) + "…"},
		},
		{
			name:    "geometry of another element",
			in:      doc(`<rect r="1" d="M0 0" width="1" height="1" points="0,0"/><g x="1"><circle r="1" width="2"/></g>`),
			inner:   `<rect width="1" height="1"/><g><circle r="1"/></g>`,
			dropped: []string{"attribute r", "attribute d", "attribute points", "attribute x", "attribute width"},
		},
		{
			name: "style declarations become attributes and outrank them",
			in: doc(`<path d="M0 0h1" fill="blue" style="fill: #FF0000 ; stroke-width:2px;font-family:'PT Serif;x';` +
				`stroke-dasharray:1,2;;x:y:z; STROKE: Black ;d:path('M0 0');transform:rotate(45deg)"/>`),
			inner: `<path d="M0 0h1" fill="#ff0000" stroke="black" stroke-width="2"/>`,
			dropped: []string{"style property font-family", "invalid style", "style property stroke-dasharray",
				"style property x", "style property d", "invalid transform"},
		},
		{
			name: "the root's presentation attributes move to a g",
			in: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" fill="none" ` +
				`stroke="currentColor" stroke-width="2" preserveAspectRatio="none" version="1.1" x="3"><path d="M12 2v20"/></svg>`,
			viewBox: "0 0 24 24",
			inner:   `<g fill="none" stroke="currentColor" stroke-width="2"><path d="M12 2v20"/></g>`,
			dropped: []string{"attribute preserveAspectRatio"},
		},
		{
			name:    "empty groups are kept as such",
			in:      doc(`<g/><g><g></g></g><path d="M0 0h1"/>`),
			inner:   `<g/><g><g/></g><path d="M0 0h1"/>`,
			dropped: nil,
		},
		{
			name:    "viewBox with commas and odd numbers",
			in:      `<svg xmlns="http://www.w3.org/2000/svg" viewBox=" -0,+1.50 1e3 , 0.000000001"><path d="M0 0h1"/></svg>`,
			viewBox: "0 1.5 1000 1e-9",
			inner:   `<path d="M0 0h1"/>`,
		},
		{
			name:    "viewBox from width and height in px",
			in:      `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="120px" height="40"><path d="M0 0h1"/></svg>`,
			viewBox: "0 0 120 40",
			inner:   `<path d="M0 0h1"/>`,
		},
		{
			name:  "byte order mark",
			in:    "\uFEFF" + doc(`<path d="M0 0h1"/>`),
			inner: `<path d="M0 0h1"/>`,
		},

		// Refused.
		{name: "empty", in: "", err: "logo: empty file"},
		{name: "white space", in: " \n\t", err: "logo: no <svg> element"},
		{name: "comment only", in: "<!-- <svg/> -->", err: "logo: no <svg> element"},
		{
			name: "entity bomb",
			in: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
				`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` + doc(`<text>&lol3;</text>`),
			err: "logo: <!DOCTYPE> and other declarations are not allowed: entities can expand without bound or read local files",
		},
		{
			name: "XXE",
			in:   `<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + doc(`<text>&xxe;</text>`),
			err:  "logo: <!DOCTYPE> and other declarations are not allowed: entities can expand without bound or read local files",
		},
		{
			name: "plain DOCTYPE",
			in:   `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">` + doc(`<path d="M0 0h1"/>`),
			err:  "logo: <!DOCTYPE> and other declarations are not allowed: entities can expand without bound or read local files",
		},
		{
			name: "undeclared entity",
			in:   doc(`<path d="&xxe;"/>`),
			err:  "logo: XML syntax error on line 1: invalid character entity &xxe;",
		},
		{
			name: "style sheet processing instruction",
			in:   `<?xml-stylesheet href="http://evil.example/x.css"?>` + doc(`<path d="M0 0h1"/>`),
			err:  "logo: processing instruction <?xml-stylesheet?> not allowed",
		},
		{
			name: "processing instruction inside",
			in:   doc(`<?php echo 1 ?><path d="M0 0h1"/>`),
			err:  "logo: processing instruction <?php?> not allowed",
		},
		{
			name: "XML declaration not first",
			in:   `<!-- x --><?xml version="1.0"?>` + doc(`<path d="M0 0h1"/>`),
			err:  "logo: processing instruction <?xml?> not allowed",
		},
		{
			name: "other encoding",
			in:   `<?xml version="1.0" encoding="ISO-8859-1"?>` + doc(`<path d="M0 0h1"/>`),
			err:  `logo: xml: encoding "ISO-8859-1" declared but Decoder.CharsetReader is nil`,
		},
		{name: "nested 32 deep", in: nested(32), inner: strings.Repeat("<g>", 30) + `<path d="M0 0h1"/>` + strings.Repeat("</g>", 30)},
		{name: "nested 33 deep", in: nested(33), err: "logo: elements nested more than 32 deep"},
		{name: "deep nesting", in: nested(20000), err: "logo: elements nested more than 32 deep"},
		{
			name: "nested 32 deep with a g for the root's fill",
			in:   strings.Replace(nested(32), "<svg ", `<svg fill="red" `, 1),
			err:  "logo: elements nested more than 32 deep",
		},
		{
			name: "deep nesting inside a dropped element",
			in:   doc(`<metadata>` + strings.Repeat("<x>", 40) + strings.Repeat("</x>", 40) + `</metadata><path d="M0 0h1"/>`),
			err:  "logo: elements nested more than 32 deep",
		},
		{name: "5000 elements", in: doc(`<path d="M0 0h1"/>` + strings.Repeat("<metadata/>", 4998)), dropped: []string{"<metadata>"}},
		{name: "5001 elements", in: doc(`<path d="M0 0h1"/>` + strings.Repeat("<metadata/>", 4999)), err: "logo: more than 5000 elements"},
		{name: "huge element count", in: doc(strings.Repeat("<g/>", 60000)), err: "logo: more than 5000 elements"},
		{name: "too large", in: doc(strings.Repeat(" ", 256<<10)), err: "logo: 257 KB, at most 256 KB"},
		{
			name: "too many shapes",
			in:   doc(strings.Repeat(`<path d="M0 0h1v1h-1z" fill="#123456"/>`, 430)),
			err:  "logo: 17 KB of shapes, at most 16 KB: simplify the drawing",
		},
		{name: "not UTF-8", in: doc(`<path d="M0 0h1"/>`) + "<!-- caf\xe9 -->", err: "logo: not UTF-8 at byte 92"},
		{name: "UTF-16", in: "\xff\xfe<\x00s\x00v\x00g\x00", err: "logo: not UTF-8 at byte 0"},
		{name: "surrogate in UTF-8", in: doc("<!-- \xed\xa0\x80 -->"), err: "logo: not UTF-8 at byte 65"},
		{name: "not SVG root", in: `<html><body><svg viewBox="0 0 1 1"/></body></html>`, err: "logo: the root element is <html>, not <svg>"},
		{
			name: "svg root in another namespace",
			in:   `<svg xmlns="http://www.w3.org/1999/xhtml" viewBox="0 0 10 10"><path d="M0 0h1"/></svg>`,
			err:  `logo: the root <svg> is in namespace "http://www.w3.org/1999/xhtml", not http://www.w3.org/2000/svg`,
		},
		{name: "not XML", in: `{"svg": true}`, err: "logo: text outside <svg>"},
		{name: "unclosed", in: svgOpen + `<path d="M0 0h1"/>`, err: "logo: XML syntax error on line 1: unexpected EOF"},
		{name: "mismatched", in: svgOpen + `<g></svg>`, err: "logo: XML syntax error on line 1: element <g> closed by </svg>"},
		{name: "content after the root", in: doc(`<path d="M0 0h1"/>`) + `<svg/>`, err: "logo: content after </svg>"},
		{name: "text after the root", in: doc(`<path d="M0 0h1"/>`) + `x`, err: "logo: text outside <svg>"},
		{
			name: "missing viewBox, size in cm",
			in:   `<svg xmlns="http://www.w3.org/2000/svg" width="3cm" height="1cm"><path d="M0 0h1"/></svg>`,
			err:  `logo: no viewBox, and width "3cm" is not a positive number of px`,
		},
		{
			name: "missing viewBox, height in %",
			in:   `<svg xmlns="http://www.w3.org/2000/svg" width="30" height="100%"><path d="M0 0h1"/></svg>`,
			err:  `logo: no viewBox, and height "100%" is not a positive number of px`,
		},
		{
			name: "missing viewBox and size",
			in:   `<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1"/></svg>`,
			err:  "logo: no viewBox, and no width and height to make one from",
		},
		{
			name: "zero-width viewBox",
			in:   `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 0 10" width="10" height="10"><path d="M0 0h1"/></svg>`,
			err:  `logo: viewBox "0 0 0 10" is not four numbers with a positive width and height`,
		},
		{
			name: "viewBox with units",
			in:   `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10px 10px"><path d="M0 0h1"/></svg>`,
			err:  `logo: viewBox "0 0 10px 10px" is not four numbers with a positive width and height`,
		},
		{
			name: "infinite viewBox",
			in:   `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1e999 10"><path d="M0 0h1"/></svg>`,
			err:  `logo: viewBox "0 0 1e999 10" is not four numbers with a positive width and height`,
		},
		{name: "text only", in: doc(`<text>Kolokol</text>`), err: "logo: no shapes left after removing <text>"},
		{
			name: "nothing drawable left",
			in:   doc(`<g onclick="x()"><image href="x.png"/><path fill="red"/><rect width="1"/></g><script/><style/><use/><a/><title/>`),
			err:  "logo: no shapes left after removing attribute onclick, <image>, <script>, <style>, <use>, …",
		},
		{name: "nothing at all", in: doc(`<g></g>`), err: "logo: no shapes to draw"},
	}
}

func TestSanitize(t *testing.T) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			got, err := Sanitize([]byte(c.in))
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error %v, want %s", err, c.err)
				}
				if got != nil {
					t.Errorf("a logo with the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			viewBox := c.viewBox
			if viewBox == "" {
				viewBox = "0 0 10 10"
			}
			if got.ViewBox != viewBox {
				t.Errorf("ViewBox %q, want %q", got.ViewBox, viewBox)
			}
			if c.inner != "" && string(got.Inner) != c.inner {
				t.Errorf("Inner\n%s\nwant\n%s", got.Inner, c.inner)
			}
			if !reflect.DeepEqual(got.Dropped, c.dropped) {
				t.Errorf("Dropped %q, want %q", got.Dropped, c.dropped)
			}
			checkOutput(t, got)
		})
	}
}

func TestSize(t *testing.T) {
	for _, c := range []struct {
		in            string
		width, height float64
	}{
		{`<svg viewBox="-5 -5 240 60"><path d="M0 0h1"/></svg>`, 240, 60},
		{`<svg width="120.5PX" height="0.5e2"><path d="M0 0h1"/></svg>`, 120.5, 50},
		{`<svg viewBox="0 0 3 4" width="3cm" height="auto"><path d="M0 0h1"/></svg>`, 3, 4},
	} {
		got, err := Sanitize([]byte(c.in))
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got.Width != c.width || got.Height != c.height {
			t.Errorf("%s: %g×%g, want %g×%g", c.in, got.Width, got.Height, c.width, c.height)
		}
	}
}

// An Inkscape export: metadata, sodipodi and inkscape attributes, colours in
// style attributes, a gradient, text.
func TestInkscape(t *testing.T) {
	data, err := os.ReadFile("testdata/inkscape.svg")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Sanitize(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.ViewBox != "0 0 240 60" || got.Width != 240 || got.Height != 60 {
		t.Errorf("viewBox %q, %g×%g", got.ViewBox, got.Width, got.Height)
	}
	inner := `<g transform="translate(-12.5 -30.25)">` +
		`<path d="m 42.5,35 c -8.3,0 -15,6.7 -15,15 v 20 h 30 V 50 c 0,-8.3 -6.7,-15 -15,-15 z" fill="#b3001b" fill-rule="evenodd" fill-opacity="1" stroke="none" stroke-width="0.264583" stroke-linecap="round" stroke-linejoin="round"/>` +
		`<circle cx="42.5" cy="75" r="4.2" fill-opacity="1" stroke="#1a1a1a" stroke-width="1.5"/>` +
		`<rect x="70" y="68.5" width="150" height="3" ry="1.5" fill="#1a1a1a"/>` +
		`<path d="M 70,45 H 220" stroke="#1a1a1a"/>` +
		`</g>`
	if string(got.Inner) != inner {
		t.Errorf("Inner\n%s\nwant\n%s", got.Inner, inner)
	}
	dropped := []string{
		"attribute id", "attribute inkscape:version", "attribute sodipodi:docname",
		"<title>", "<sodipodi:namedview>", "<defs>", "<metadata>",
		"attribute inkscape:label", "attribute inkscape:groupmode",
		"attribute inkscape:connector-curvature", "attribute sodipodi:nodetypes", "style property paint-order",
		"url() reference in fill",
		"attribute onclick", "style property display",
		"<text>",
		"invalid stroke-width", "attribute stroke-dasharray",
	}
	if !reflect.DeepEqual(got.Dropped, dropped) {
		t.Errorf("Dropped\n%q\nwant\n%q", got.Dropped, dropped)
	}
	checkOutput(t, got)
}

func TestNoSharedState(t *testing.T) {
	in := []byte(doc(`<script/><path d="M0 0h1" id="x"/>`))
	a, _ := Sanitize(in)
	b, _ := Sanitize(in)
	a.Inner[0] = 'X'
	a.Dropped[0] = "changed"
	if b.Inner[0] != '<' || b.Dropped[0] != "<script>" {
		t.Error("two results share memory")
	}
}

// Elements and attributes the output may have, written out again here rather
// than taken from the code under test.
var (
	wantElements = map[string]bool{"g": true, "path": true, "rect": true, "circle": true, "ellipse": true,
		"line": true, "polyline": true, "polygon": true}
	wantAttrs = map[string]bool{"d": true, "x": true, "y": true, "width": true, "height": true, "cx": true,
		"cy": true, "r": true, "rx": true, "ry": true, "x1": true, "y1": true, "x2": true, "y2": true,
		"points": true, "transform": true, "fill": true, "fill-rule": true, "fill-opacity": true,
		"stroke": true, "stroke-width": true, "stroke-linecap": true, "stroke-linejoin": true,
		"stroke-miterlimit": true, "stroke-opacity": true, "opacity": true, "clip-rule": true}
)

// checkOutput asserts what holds for every logo Sanitize returns: its markup
// parses, holds only allowed names and no url(), fits, and sanitizing it
// again changes nothing.
func checkOutput(t *testing.T, got *SVG) {
	t.Helper()
	if len(got.Inner) > MaxInner {
		t.Errorf("Inner is %d bytes", len(got.Inner))
	}
	if !(got.Width > 0 && got.Height > 0) {
		t.Errorf("size %g×%g", got.Width, got.Height)
	}
	if bytes.Contains(bytes.ToLower(got.Inner), []byte("url(")) {
		t.Errorf("url( in %s", got.Inner)
	}
	wrapped := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="` + got.ViewBox + `">` + string(got.Inner) + `</svg>`
	d := xml.NewDecoder(strings.NewReader(wrapped))
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, wrapped)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				continue
			}
			if tok.Name.Space != NS || !wantElements[tok.Name.Local] {
				t.Errorf("element %v in output", tok.Name)
			}
			for _, a := range tok.Attr {
				if a.Name.Space != "" || !wantAttrs[a.Name.Local] {
					t.Errorf("attribute %v in output", a.Name)
				}
				// Nothing an HTML tokenizer or CSS parser treats specially:
				// no quotes, <, &, ;, backslash, colon or slash.
				if strings.Trim(a.Value, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ #(),.%+-") != "" {
					t.Errorf("%s=%q in output", a.Name.Local, a.Value)
				}
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			t.Errorf("text %q in output", tok)
		default:
			t.Errorf("%T in output", tok)
		}
	}
	again, err := Sanitize([]byte(wrapped))
	if err != nil {
		t.Fatalf("output refused: %v\n%s", err, wrapped)
	}
	if !bytes.Equal(again.Inner, got.Inner) || again.ViewBox != got.ViewBox || len(again.Dropped) > 0 {
		t.Errorf("not idempotent:\n%s %s\nthen\n%s %s dropping %q", got.ViewBox, got.Inner, again.ViewBox, again.Inner, again.Dropped)
	}
}
