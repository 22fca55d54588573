package render

import (
	"bytes"
	"strings"
	"testing"
)

func TestDropped(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string // parts of the messages, in order; none: nothing dropped
	}{
		{"Plain **text**, a [link](https://example.org) and [one of ours](/ru/a/1-x/).", nil},
		{"`<iframe>` in code, and\n\n```\n<aside>\n```", nil},
		{"Mail [us](mailto:tips@example.org).", nil},
		{"![photo](https://example.org/x.jpg)", []string{"picture written in Markdown"}},
		{"Before ![a](x.png) and ![b](y.png) after", []string{"picture written in Markdown"}},
		{"<iframe src=\"https://evil.example\"></iframe>\n\nText.", []string{"HTML <iframe>"}},
		{"Text <aside>boxed</aside> and <b>bold</b>.", []string{"HTML <aside>", "HTML <b>"}},
		{"<!-- note to the desk -->\n\nText.", []string{"an HTML comment"}},
		{"[click](javascript:alert(1))", []string{`the address of the link "javascript:alert(1)"`}},
		{"[x](data:text/html;base64,PHNjcmlwdD4=)", []string{`the address of the link "data:text/html;base64,PHNjcmlwdD4="`}},
		{"<SCRIPT>alert(1)</SCRIPT>", []string{"HTML <script>"}},
		{"بند اول <aside>حاشیه</aside> بند دوم", []string{"HTML <aside>"}},
	} {
		got := Dropped(c.src)
		if len(got) != len(c.want) {
			t.Errorf("Dropped(%q) = %q, want %d messages", c.src, got, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("Dropped(%q)[%d] = %q, want it to name %q", c.src, i, got[i], w)
			}
		}
	}
}

// FuzzDropped checks Dropped against the renderer itself: whenever
// goldmark leaves raw HTML out, writes a picture, or the sanitizer removes a
// link's address, Dropped must have named something.
func FuzzDropped(f *testing.F) {
	for _, s := range []string{"![a](b)", "<aside>x</aside>", "[x](javascript:y)", "<!-- c -->", "plain", "```\n<i>\n```", "<", "<a href=x>y</a>", "[a](<b c>)", "<https://x.org>"} {
		f.Add(s)
	}
	m := markdownOnce()
	f.Fuzz(func(t *testing.T, src string) {
		got := Dropped(src)
		var raw bytes.Buffer
		if err := m.md.Convert([]byte(src), &raw); err != nil {
			t.Fatal(err)
		}
		clean := m.policy.Sanitize(raw.String())
		lost := strings.Contains(raw.String(), "raw HTML omitted") || strings.Contains(raw.String(), "<img") ||
			strings.Count(clean, "href=") < strings.Count(raw.String(), "href=")
		if lost && len(got) == 0 {
			t.Fatalf("the page loses part of %q (%q → %q), but Dropped names nothing", src, raw.String(), clean)
		}
		for _, msg := range got {
			if msg == "" {
				t.Fatalf("an empty message for %q", src)
			}
		}
	})
}
