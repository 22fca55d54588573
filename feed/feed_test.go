package feed

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

func wellFormed(t *testing.T, what string, body []byte) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(body)))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed: %v\n%s", what, err, body)
		}
	}
}

// Text XML 1.0 forbids (controls, surrogates' bytes, U+FFFE, bytes that
// are not UTF-8) is dropped, markup is escaped, and every format stays
// well-formed.
func TestHostileText(t *testing.T) {
	hostile := "a\x00b\x01c\x0bd\x1fe\ufffef\uffffg\xffh\xed\xa0\x80i]]></title><x y='\"'>&amp;&#0;\tj\r\nk\U0001F600"
	f := &Feed{Title: hostile, Description: hostile, Link: "https://x.test/?a=1&b=2", Self: "https://x.test/feed.xml",
		ID: "tag:x.test,2024-01-01:ru/", Lang: "ru", Author: hostile, Updated: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Entries: []Entry{{ID: "tag:x.test,2024-01-01:ru/1", Title: hostile, Link: "https://x.test/ru/a/1-x/", Summary: hostile,
			Content: "<p>" + hostile + "</p>", Published: time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600)),
			Updated: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Authors: []string{hostile}, Categories: []Category{{hostile, hostile}},
			Image: &Image{URL: "https://x.test/media/a.jpg?x=<>", Type: "image/jpeg", Alt: hostile, Credit: hostile, Caption: hostile}}}}
	for name, body := range map[string][]byte{"rss": RSS(f), "atom": Atom(f),
		"sitemap": Sitemap([]URL{{Loc: "https://x.test/<&>", Alternates: []Alternate{{hostile, hostile}}}}),
		"index":   Index([]string{hostile}), "news": News(hostile, "zh-Hant-TW", []NewsStory{{Loc: hostile, Title: hostile}})} {
		wellFormed(t, name, body)
		for _, bad := range []string{"\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\uffff", "\xff", "\ufffd", "<x y"} {
			if strings.Contains(string(body), bad) {
				t.Errorf("%s holds %q", name, bad)
			}
		}
		if !strings.Contains(string(body), "abcdefghi") || !strings.Contains(string(body), "\U0001F600") {
			t.Errorf("%s lost the text around what it dropped", name)
		}
	}
	var v map[string]any
	if err := json.Unmarshal(JSON(f), &v); err != nil {
		t.Fatal(err)
	}
	for _, major := range []int{2, 3} {
		if err := json.Unmarshal(Ninjs(&Story{URI: "tag:x", Headline: hostile, HTML: hostile}, major), &v); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDates(t *testing.T) {
	tehran := time.FixedZone("IRST", 3*3600+1800)
	tm := time.Date(2024, 3, 20, 12, 0, 0, 500, tehran)
	if got := rfc822(tm); got != "Wed, 20 Mar 2024 08:30:00 +0000" {
		t.Errorf("rfc822 = %q", got)
	}
	if got := RFC3339(tm); got != "2024-03-20T08:30:00Z" {
		t.Errorf("RFC3339 = %q", got)
	}
	if got := RFC3339(time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC)); got != "9999-12-31T23:59:59Z" {
		t.Errorf("a year past 9999: %q", got)
	}
	for tag, want := range map[string]string{"fa-IR": "fa", "ru": "ru", "zh-Hans": "zh-cn", "zh-Hant": "zh-tw", "sr-Latn": "sr", "ZH": "zh-cn"} {
		if got := NewsLanguage(tag); got != want {
			t.Errorf("NewsLanguage(%s) = %s, want %s", tag, got, want)
		}
	}
}
