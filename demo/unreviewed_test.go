package demo

import (
	"strings"
	"testing"

	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/i18n"
)

func TestUnreviewedLoads(t *testing.T) {
	if _, err := Unreviewed(); err != nil {
		t.Fatal(err)
	}
}

// TestParseUnreviewed: an entry must name a text the demo has, once, so
// that the report never lists a text that was renamed or removed.
func TestParseUnreviewed(t *testing.T) {
	services := []desk.ServiceSpec{{Code: "ky", Tag: "ky"}, {Code: "prs", Tag: "fa-AF"}}
	stories := []Story{{Service: "ky", Group: "ferry", Headline: "Паром"}}
	good := `{"texts": [{"service": "ky", "text": "safety", "note": "bridges"}, {"service": "prs", "text": "about"},
		{"service": "ky", "text": "story ferry"}]}`
	got, err := parseUnreviewed([]byte(good), services, stories)
	if err != nil {
		t.Fatal(err)
	}
	want := []i18n.Unreviewed{
		{Tag: "ky", Text: "demo/services.json, ky: safety", Note: "bridges"},
		{Tag: "fa-AF", Text: "demo/services.json, prs: about"},
		{Tag: "ky", Text: "demo/stories.json, ky: “Паром” (ferry)"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, c := range []struct{ name, raw, want string }{
		{"unknown service", `{"texts": [{"service": "xx", "text": "safety"}]}`, `no service "xx"`},
		{"unknown field", `{"texts": [{"service": "ky", "text": "motto"}]}`, `"motto" is neither`},
		{"unknown story", `{"texts": [{"service": "ky", "text": "story spring"}]}`, `no story in group "spring"`},
		{"another service's story", `{"texts": [{"service": "prs", "text": "story ferry"}]}`, `no story in group "ferry"`},
		{"twice", `{"texts": [{"service": "ky", "text": "safety"}, {"service": "ky", "text": "safety", "note": "again"}]}`, "listed twice"},
		{"misspelt key", `{"texts": [{"service": "ky", "txt": "safety"}]}`, "unknown field"},
	} {
		_, err := parseUnreviewed([]byte(c.raw), services, stories)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %s", c.name, err, c.want)
		}
	}
}
