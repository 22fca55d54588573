package epub

import (
	"archive/zip"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol/internal/realpart"
)

// jpegBytes is a real JPEG picture of w×h, its colour from seed.
func jpegBytes(t testing.TB, w, h int, seed byte) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{byte(x*7) + seed, byte(y*3) ^ seed, seed, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const css = `body { margin: 0 5%; line-height: 1.5 }
h1 { font-size: 1.4em }
figure { margin: 1em 0 }
img { max-width: 100% }
.cover { text-align: center }
a.direction:hover { color: red }
`

// sampleBook is a book of three chapters with what stories carry:
// pictures, headings, lists, a figure, links, entities and mixed scripts.
func sampleBook(t testing.TB, rtl bool) *Book {
	t.Helper()
	mod := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	b := &Book{
		ID:          "https://news.example.org/en/#digest-2026-12-01",
		Title:       "News digest — 1 December 2026",
		Language:    "en",
		Dir:         "ltr",
		Creator:     "Example News",
		Publisher:   "Example News",
		Description: "The week's stories & pictures.",
		Date:        mod.Add(-6 * time.Hour),
		Modified:    mod,
		Cover:       &Image{Name: "cover.jpg", MIME: "image/jpeg", Data: jpegBytes(t, 60, 90, 1)},
		Stylesheet:  []byte(css),
		NavTitle:    "Contents",
	}
	titles := []string{"Storm reaches the coast", "Parliament votes on the budget", "Football: a late winner"}
	bidi := "The sign read «خوش آمدید» (welcome) in Persian."
	if rtl {
		b.ID = "https://news.example.org/fa/#digest-2026-12-01"
		b.Title = "خلاصه اخبار — ۱۰ آذر ۱۴۰۵"
		b.Language, b.Dir = "fa", "rtl"
		b.Creator, b.Publisher = "اخبار نمونه", "اخبار نمونه"
		b.Description = "داستان\u200cها و تصاویر هفته."
		b.CoverTitle = "خلاصه هفته"
		b.NavTitle = "فهرست"
		titles = []string{"طوفان به ساحل رسید", "رأی\u200cگیری مجلس درباره بودجه", "فوتبال: گل دقیقه آخر"}
		bidi = "نام شرکت <bdi>Kolokol Media</bdi> است و مدل آن GPT-4 نیست، نسخه 2.1 است."
	}
	for i, title := range titles {
		n := i + 1
		im := Image{Name: fmt.Sprintf("i%d.jpg", n), MIME: "image/jpeg", Data: jpegBytes(t, 40, 30, byte(n*40))}
		if n == 3 {
			im = Image{Name: "i3.png", MIME: "image/png", Data: pngBytes(t)}
		}
		b.Images = append(b.Images, im)
		next := fmt.Sprintf("a%d.xhtml", n%3+1)
		body := fmt.Sprintf(`<p>First&nbsp;paragraph &mdash; with <strong>bold</strong>, <em>emphasis</em> and a line<br>break.</p>
<h2 id="more">More</h2>
<p>%s</p>
<figure><img src="%s" alt="A picture &quot;%d&quot;"><figcaption>Photo: Agency &amp; Co.</figcaption></figure>
<ul><li>one</li><li>two &lt;three&gt;</li></ul>
<ol start="3"><li>first<li>second</ol>
<p>Read <a href="%s">the next story</a>, <a href="%s#more">its second part</a>, <a href="#more">more above</a> or <a href="https://news.example.org/en/">the site</a>.</p>
<blockquote><p>A quotation.</p></blockquote>`, bidi, im.Name, n, next, next)
		b.Chapters = append(b.Chapters, Chapter{Name: fmt.Sprintf("a%d.xhtml", n), Title: title, Body: body})
	}
	if !rtl {
		// One chapter in another language and direction, as a digest of
		// a service may quote one.
		b.Chapters[2].Lang, b.Chapters[2].Dir = "ar", "rtl"
		b.Chapters[2].Title = "كرة القدم: هدف في اللحظة الأخيرة"
	} else {
		b.Chapters[2].Lang, b.Chapters[2].Dir = "en", "ltr"
		b.Images = append(b.Images, Image{Name: "chart.svg", MIME: "image/svg+xml", Data: []byte(svgChart)})
		b.Chapters[1].Body += `<p><img src="chart.svg" alt="نمودار"></p>`
	}
	return b
}

const svgChart = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20" viewBox="0 0 40 20">
<title>chart</title><defs><linearGradient id="g"><stop offset="0" stop-color="#c00"/></linearGradient></defs>
<rect id="r" width="40" height="20" fill="url(#g)"/><use xlink:href="#r"/>
</svg>
`

// minimalBook has only what a book needs: no cover, stylesheet,
// pictures, dates or people.
func minimalBook() *Book {
	return &Book{
		ID: "urn:uuid:6f1c7d2e-8a43-4c1e-9d0b-2f5e8b7a9c10", Title: "Дайджест", Language: "sr-Cyrl",
		Modified: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC),
		Chapters: []Chapter{{Name: "only.xhtml", Title: "Једина прича", Body: "<p>Текст.</p>"}},
	}
}

// tortureBody is markup an editor's paste can bring: the converter must
// make of it what a checker accepts.
const tortureBody = `<p>Unclosed <b>bold <i>and italic<p>Next
<div onclick="x()" style="color:red" data-x="1"><span><div>block in span</div></span></div>
<ul>text in a list<p>para in a list</p><li>item</ul>
<dl><p>no term</p><dt>term<dd>def</dl>
<li>stray item</li><figcaption>stray caption</figcaption>
<figure><p>before</p><figcaption>middle</figcaption><img src="i1.jpg"><figcaption>last</figcaption></figure>
<table><tr><td colspan="2" rowspan="x">cell<td>two</table>
<h3><p>para in heading</p></h3>
<p><a href="missing.xhtml">gone</a> <a href="../x.html">up</a> <a href="javascript:alert(1)">js</a> <a href="a2.xhtml#nowhere">no id</a> <img src="https://tracker.example/p.gif"> <img src="other.jpg"></p>
<script>alert(1)</script><style>p{}</style><iframe src="https://x"></iframe>
<p id="more">dup id</p><p id="1bad">bad id</p><p lang="en-GB" dir="weird">lang</p>
<bdo>bdo</bdo><svg><circle r="1"/></svg><math><mi>x</mi></math>
<!-- a comment -- with dashes --><![CDATA[ cdata ]]>
<pre>
code &amp; more</pre>
<table><tbody><tr><td>b</td></tr></tbody><thead><tr><th>h</th></tr></thead><tfoot><tr><td>f</td></tr></tfoot><thead><tr><td>h2</td></tr></thead><caption>c</caption><caption>c2</caption></table>
<figure>text<figcaption>c</figcaption>more</figure><ul><li value="3">a</li></ul><ol><li value="3">a</li></ol>
<a href="a2.xhtml"><div>a block link</div></a><p><time datetime="2026-12-01">today</time> <q cite="x.html">q</q> <abbr title="t">ab</abbr> <sub>2</sub><sup>3</sup></p>
<p dir="auto">auto</p><p>mixed <span lang="fa" dir="rtl">فارسی</span> <bdi>x</bdi> <s>s</s> <u>u</u> <mark>m</mark> <small>s</small> <kbd>k</kbd> <dfn>d</dfn> <var>v</var> <samp>s</samp> <cite>c</cite> <code>c</code> <ins>i</ins> <del>d</del> a<wbr>b</p>
<ol reversed type="a" start="5"><li value="9">r</li></ol><img src="i1.jpg" alt="sized" width="40" height="30" title="t" class="c">
<table><thead><tr><th scope="col" colspan="2">h</th></tr></thead><tbody><tr><td rowspan="2">a</td><td>b</td></tr><tr><td>c</td></tr></tbody></table>
<section><h2>s</h2><article><h3>a</h3><aside>x</aside></article></section><hr>
<b>bold around <figure><img src="i1.jpg" alt=""><figcaption>cap</figcaption></figure> and <table><tr><td>cell</td></tr></table></b>`

func TestEpubcheck(t *testing.T) {
	java := realpart.Need(t, "java", "Debian package default-jre-headless")
	jar := realpart.Need(t, "epubcheck", "Debian package epubcheck")
	torture := sampleBook(t, false)
	torture.Chapters[0].Body += tortureBody
	for _, tc := range []struct {
		name string
		book *Book
	}{
		{"english-ltr", torture},
		{"persian-rtl", sampleBook(t, true)},
		{"minimal", minimalBook()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), tc.name+".epub")
			if err := WriteFile(t.Context(), path, tc.book); err != nil {
				t.Fatal(err)
			}
			out, problems := epubcheck(t, java, jar, path)
			if len(problems) > 0 || !strings.Contains(out, "No errors or warnings detected.") {
				t.Fatalf("epubcheck found problems:\n%s\n\nfull output:\n%s", strings.Join(problems, "\n"), out)
			}
		})
	}
	// The check is only worth trusting if it catches a broken book: a
	// chapter that links a file the book does not hold.
	t.Run("catches-broken", func(t *testing.T) {
		t.Parallel()
		var good bytes.Buffer
		if err := Write(&good, sampleBook(t, false)); err != nil {
			t.Fatal(err)
		}
		broken := rewriteEntry(t, good.Bytes(), "EPUB/a1.xhtml", func(s string) string {
			s = strings.Replace(s, "<p>", `<p><a href="missing.xhtml">x</a>`, 1)
			return strings.Replace(s, "</h1>", `</h1><span><div>block in span</div></span>`, 1)
		})
		path := filepath.Join(t.TempDir(), "broken.epub")
		if err := os.WriteFile(path, broken, 0o644); err != nil {
			t.Fatal(err)
		}
		out, problems := epubcheck(t, java, jar, path)
		all := strings.Join(problems, "\n")
		if !strings.Contains(all, "missing.xhtml") {
			t.Errorf("epubcheck did not report the missing file:\n%s", out)
		}
		if !strings.Contains(all, `element "div" not allowed here`) {
			t.Errorf("epubcheck did not report a block in a span:\n%s", out)
		}
		t.Logf("epubcheck on a broken book:\n%s", all)
	})
}

// epubcheck runs the checker on one file and returns its output and the
// lines that report an error, a warning or a fatal error.
func epubcheck(t *testing.T, java, jar, path string) (string, []string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), java, "-jar", jar, path)
	outb, err := cmd.CombinedOutput()
	out := string(outb)
	var problems []string
	for _, line := range strings.Split(out, "\n") {
		for _, p := range []string{"ERROR", "WARNING", "FATAL"} {
			if strings.HasPrefix(line, p) {
				problems = append(problems, line)
			}
		}
	}
	if err != nil && len(problems) == 0 {
		t.Fatalf("epubcheck failed without a message: %v\n%s", err, out)
	}
	return out, problems
}

// rewriteEntry copies an EPUB, changing one entry's text.
func rewriteEntry(t *testing.T, epub []byte, name string, change func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(epub), int64(len(epub)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name != name {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, change(string(data))); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
