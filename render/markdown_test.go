package render

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func TestMarkdown(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"paragraph", "Hello *world*", "<p>Hello <em>world</em></p>\n"},
		{"h1 demoted", "# Top\n\n## Sub", "<h2>Top</h2>\n<h3>Sub</h3>\n"},
		{"h2 kept", "## A\n\n### B\n\n## C", "<h2>A</h2>\n<h3>B</h3>\n<h2>C</h2>\n"},
		{"no skipped levels", "## A\n\n#### B", "<h2>A</h2>\n<h3>B</h3>\n"},
		{"deep headings flattened", "# A\n## B\n### C\n#### D\n##### E\n###### F", "<h2>A</h2>\n<h3>B</h3>\n<h4>C</h4>\n<h4>D</h4>\n<h4>E</h4>\n<h4>F</h4>\n"},
		{"raw html omitted", "<b onclick=x>hi</b>", "<p>hi</p>\n"},
		{"script block omitted", "<script>alert(1)</script>\n\ntext", "\n<p>text</p>\n"},
		{"javascript link dropped", "[x](javascript:alert(1))", "<p>x</p>\n"},
		{"data link dropped", "[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>\n"},
		{"vbscript autolink", "<vbscript:msgbox(1)>", "<p>vbscript:msgbox(1)</p>\n"},
		{"javascript with host", "[x](javascript://example.com/%0aalert(1))", "<p>x</p>\n"},
		{"relative link", "[a](/ru/a/1-x/)", `<p><a href="/ru/a/1-x/">a</a></p>` + "\n"},
		{"external link", "[a](https://example.com/)", `<p><a href="https://example.com/" rel="noopener noreferrer">a</a></p>` + "\n"},
		{"protocol-relative link", "[a](//example.com/)", `<p><a href="//example.com/" rel="noopener noreferrer">a</a></p>` + "\n"},
		{"linkify", "see https://example.com now", `<p>see <a href="https://example.com" rel="noopener noreferrer">https://example.com</a> now</p>` + "\n"},
		{"mailto", "<press@example.org>", `<p><a href="mailto:press@example.org">press@example.org</a></p>` + "\n"},
		{"image stripped", "![alt](https://tracker.example/p.gif)", "<p></p>\n"},
		{"table without styles", "| a | b |\n|:--|--:|\n| 1 | 2 |", "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"},
		{"strikethrough", "~~old~~", "<p><del>old</del></p>\n"},
		{"blockquote", "> quote", "<blockquote>\n<p>quote</p>\n</blockquote>\n"},
		{"ordered list start", "3. three\n4. four", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n"},
		{"code", "`x<y`", "<p><code>x&lt;y</code></p>\n"},
		{"task list stays text", "- [ ] todo", "<ul>\n<li>[ ] todo</li>\n</ul>\n"},
	}
	for _, c := range cases {
		got, err := Markdown(c.src)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want {
			t.Errorf("%s: Markdown(%q) =\n%q\nwant\n%q", c.name, c.src, got, c.want)
		}
	}
}

func TestMarkdownRootRelative(t *testing.T) {
	m := newMarkdown()
	got, err := m.render("[a](/ru/) [b](https://x.example/) [c](//x.example/) [d](rel/) [e](#frag) [f](/\\evil.example)", "../../../", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="../../../ru/"`, `href="https://x.example/"`, `href="//x.example/"`, `href="rel/"`, `href="#frag"`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("%s missing from %s", want, got)
		}
	}
	if strings.Contains(string(got), `href="../../../\`) || strings.Contains(string(got), `href="/\`) {
		t.Errorf("backslash path survived: %s", got)
	}
}

// hostileMarkdown seeds the fuzzer and is checked by TestMarkdownHostile.
var hostileMarkdown = []string{
	"<script>alert(1)</script>",
	"<SCRIPT SRC=//x.example/x.js></SCRIPT>",
	"<img src=x onerror=alert(1)>",
	"<svg onload=alert(1)>",
	"<a href=\"javascript:alert(1)\">x</a>",
	"[x](javascript:alert(1))",
	"[x](JaVaScRiPt:alert(1))",
	"[x](java\tscript:alert(1))",
	"[x](&#106;avascript:alert(1))",
	"[x](javascript&colon;alert(1))",
	"[x](%6Aavascript:alert(1))",
	"[x](vbscript:msgbox(1))",
	"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"[x]( javascript:alert(1))",
	"[x](<javascript:alert(1)>)",
	"[x]: javascript:alert(1)\n\n[x]",
	"![x](javascript:alert(1))",
	"![x\" onerror=\"alert(1)](x.png)",
	"[x](https://a.example/\" onclick=\"alert(1))",
	"<javascript:alert(1)>",
	"<iframe src=https://x.example></iframe>",
	"<style>body{display:none}</style>",
	"<p style=\"background:url(javascript:alert(1))\">x</p>",
	"<form action=https://x.example><input name=p></form>",
	"<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
	"<!--<script>alert(1)</script>-->",
	"<base href=\"javascript:/\">",
	"<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
	"`<script>`\n\n```html\n<script>alert(1)</script>\n```",
	"| <script> | x |\n|---|---|\n| [a](javascript:x) | b |",
	"> <img src=x onerror=alert(1)>\n> [x](vbscript:y)",
	"# <b onmouseover=alert(1)>h</b>",
	"www.example.com/<script>",
	"http://example.com/\"><script>alert(1)</script>",
	"[x](\x00javascript:alert(1))",
	"<a href=\"&#x6A;avascript:alert(1)\">x</a>",
	"<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
}

func TestMarkdownHostile(t *testing.T) {
	for _, src := range hostileMarkdown {
		out, err := Markdown(src)
		if err != nil {
			t.Fatal(err)
		}
		if problem := unsafeHTML(string(out)); problem != "" {
			t.Errorf("Markdown(%q) = %q: %s", src, out, problem)
		}
	}
}

func FuzzMarkdown(f *testing.F) {
	for _, s := range hostileMarkdown {
		f.Add(s)
	}
	f.Add("# h\n\ntext with [link](/ru/a/1-x/) and **bold**\n\n- a\n- b\n")
	f.Fuzz(func(t *testing.T, src string) {
		out, err := Markdown(src)
		if err != nil {
			return // goldmark refusing input is fine; emitting it unsafe is not
		}
		if problem := unsafeHTML(string(out)); problem != "" {
			t.Fatalf("Markdown(%q) = %q: %s", src, out, problem)
		}
	})
}

// allowedBody is every element the body policy may emit.
var allowedBody = map[atom.Atom]bool{
	atom.P: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.Blockquote: true,
	atom.Ul: true, atom.Ol: true, atom.Li: true, atom.A: true, atom.Em: true, atom.Strong: true,
	atom.Code: true, atom.Pre: true, atom.Hr: true, atom.Br: true, atom.Del: true,
	atom.Figure: true, atom.Figcaption: true, atom.Table: true, atom.Thead: true,
	atom.Tbody: true, atom.Tr: true, atom.Th: true, atom.Td: true,
}

// unsafeHTML parses out as a browser would, inside a <div>, and describes
// the first thing that could run script, load from elsewhere or restyle the
// page; "" when there is none.
func unsafeHTML(out string) string {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(out), ctx)
	if err != nil {
		return "unparsable: " + err.Error()
	}
	var problem string
	var check func(n *html.Node)
	check = func(n *html.Node) {
		if problem != "" {
			return
		}
		if n.Type == html.ElementNode {
			if !allowedBody[n.DataAtom] || n.Namespace != "" {
				problem = "element <" + n.Data + ">"
				return
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				switch {
				case a.Namespace != "":
					problem = "namespaced attribute " + a.Key
				case strings.HasPrefix(k, "on"):
					problem = "event handler " + a.Key
				case k == "href":
					if s := badURL(a.Val); s != "" {
						problem = s
					}
				// bluemonday adds a bare noreferrer to the odd link whose host
				// only it sees ("mailto://@x"); both forms are safe.
				case k == "rel" && (a.Val == "noopener noreferrer" || a.Val == "noreferrer"):
					if _, ok := attrOf(n, "href"); !ok {
						problem = "rel without href (not valid HTML)"
					}
				case k == "start" && n.DataAtom == atom.Ol:
				default:
					problem = "attribute " + a.Key
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			check(c)
		}
	}
	for _, n := range nodes {
		check(n)
	}
	return problem
}

// badURL judges an href the way a browser resolves it: it strips ASCII
// whitespace and control characters and reads the scheme case-insensitively.
func badURL(v string) string {
	cleaned := strings.Map(func(r rune) rune {
		if r <= 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, v)
	lower := strings.ToLower(cleaned)
	for _, s := range []string{"javascript:", "vbscript:", "data:", "file:"} {
		if strings.HasPrefix(lower, s) {
			return "dangerous URL " + v
		}
	}
	if i := strings.IndexAny(lower, ":/?#"); i > 0 && lower[i] == ':' {
		u, err := url.Parse(cleaned)
		if err != nil {
			return "unparsable URL " + v
		}
		switch strings.ToLower(u.Scheme) {
		case "http", "https", "mailto":
		default:
			return "scheme " + u.Scheme
		}
	}
	return ""
}

func attrOf(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// TestMarkdownPageOnce checks that a body converted once for every page
// that shows it (page) is, on each page, what converting it for that page
// (render) gives, for the roots of pages at every depth, including
// sources that hold the placeholder of the way to the root.
func TestMarkdownPageOnce(t *testing.T) {
	m := newMarkdown()
	srcs := []string{
		"Hello *world*",
		"[a](/ru/) [b](https://x.example/) [c](//x.example/) [d](rel/) [e](#frag) [f](/\\evil.example)",
		"[a](/ru/a/1-x/) and [a again](/ru/a/1-x/)\n\n- [b](/ru/s/politics/?p=2#top)\n- [c](/a:b) [d](/%41%zz) [e](/ x)",
		"see https://example.com now and <press@example.org>, [j](javascript:alert(1))",
		"[root](/) [q](/?x=1)",
		"a body that names " + bodyRoot + " itself, [a](/ru/)",
		"an entity that spells it: &#107;olokol-site-root-5e1d0c/ and [a](/ru/)",
		"[dropped](/ru/%zz) kolokol-site-root-5e1d0c/ [kept](/en/)",
	}
	for _, root := range []string{"../../../", "../../../../", "./", "../"} {
		for _, src := range srcs {
			want, err := m.render(src, root, nil)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // converted, then from the kept rendering
				got, err := m.page(src, root, nil)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("root %q, %q:\n got %q\nwant %q", root, src, got, want)
				}
			}
		}
	}
}
