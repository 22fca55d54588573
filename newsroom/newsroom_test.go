package newsroom

import (
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlite"
)

func TestArticleID(t *testing.T) {
	for _, c := range []struct {
		path string
		id   int64
		ok   bool
	}{
		{"/fa/a/12-slug/", 12, true},
		{"/fa/a/12-%D8%B3%D8%AF/", 12, true},
		{"/fa/a/12/", 12, true},
		{"/sr-cyrl/a/7-x/", 7, true},
		{"/fa/a/0-story/", 0, false},
		{"/fa/a/-1-x/", 0, false},
		{"/fa/a/x-12/", 0, false},
		{"/fa/s/12-x/", 0, false},
		{"/fa/a/", 0, false},
		{"/static/style.css", 0, false},
		{"/fa/a/12-x/extra/", 0, false},
		{"/fa/a/99999999999999999999-x/", 0, false},
	} {
		id, ok := articleID(c.path)
		if id != c.id && c.ok || ok != c.ok {
			t.Errorf("articleID(%q) = %d, %t; want %d, %t", c.path, id, ok, c.id, c.ok)
		}
	}
}

func FuzzArticleID(f *testing.F) {
	for _, s := range []string{"/fa/a/12-slug/", "/a/a/1/", "//a/5-/", "/fa/a/+7-x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		id, ok := articleID(path)
		if ok && id <= 0 {
			t.Fatalf("articleID(%q) = %d, true", path, id)
		}
		if ok && !strings.Contains(path, "/a/"+strconv.FormatInt(id, 10)) && !strings.Contains(path, "/a/+") && !strings.Contains(path, "/a/0") {
			t.Fatalf("articleID(%q) = %d, which the path does not hold", path, id)
		}
	})
}

func TestStoryFormLists(t *testing.T) {
	f := storyForm{Service: "fa", Headline: " سرخط ", Bylines: "مریم احمدی\r\n\r\n  Anna Smith \n", Tags: "آب, , اصفهان,آب", Credits: "AFP,Reuters"}
	a := f.article()
	if len(a.Bylines) != 2 || a.Bylines[1] != "Anna Smith" || len(a.Tags) != 2 || len(a.Credits) != 2 || a.Headline != "سرخط" {
		t.Errorf("article of the form: %+v", a)
	}
	if back := formOf(a); back.Bylines != "مریم احمدی\nAnna Smith" || back.Tags != "آب, اصفهان" {
		t.Errorf("form of the article: %+v", back)
	}
}

func TestCeremoniesTakeOnce(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := t.Context()
	now := time.Now()
	c := ceremonies{store: st}
	put := func(key string, v *ceremony, now time.Time) bool {
		t.Helper()
		ok, err := c.put(ctx, key, v, now)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	take := func(key, purpose string, now time.Time) *ceremony {
		t.Helper()
		v, err := c.take(ctx, key, purpose, now)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	put("k", &ceremony{UserID: 1, Purpose: "login", Expires: now.Add(time.Minute)}, now)
	if got := take("k", "register", now); got != nil {
		t.Error("a login ceremony finished a registration")
	}
	put("k", &ceremony{UserID: 1, Purpose: "login", Expires: now.Add(time.Minute)}, now)
	if got := take("k", "login", now); got == nil || got.UserID != 1 {
		t.Fatalf("take = %+v", got)
	}
	if got := take("k", "login", now); got != nil {
		t.Error("a ceremony was taken twice")
	}
	put("old", &ceremony{Purpose: "login", Expires: now.Add(-time.Second)}, now)
	if got := take("old", "login", now); got != nil {
		t.Error("an expired ceremony was taken")
	}
	// Full of live ceremonies: a new one is refused, not an old one dropped.
	for i := range maxCeremonies {
		put(strconv.Itoa(i), &ceremony{Expires: now.Add(time.Minute)}, now)
	}
	if put("one-more", &ceremony{Expires: now.Add(time.Minute)}, now) {
		t.Error("a full table took another ceremony")
	}
	// Once they expire, room is made.
	if !put("later", &ceremony{Expires: now.Add(time.Hour)}, now.Add(2*time.Minute)) {
		t.Error("expired ceremonies were not cleared for a new one")
	}
}

// TestReadJSON: a passkey's name and a sign-in's email are stored or
// compared as sent, so a lone surrogate escape, which encoding/json would
// turn into U+FFFD, is refused as the API refuses it.
func TestReadJSON(t *testing.T) {
	for _, c := range []struct {
		body, code, name string
	}{
		{`{"name":"YubiKey \ud83d\udd11"}`, "", "YubiKey \U0001F511"},
		{`{"name":"\\ud800"}`, "", `\ud800`},
		{`{"name":"key \ud800"}`, kolokol.EMALFORMED, ""},
		{`{"name":"\udc00 key"}`, kolokol.EMALFORMED, ""},
		{"{\"name\":\"\xff\"}", kolokol.EMALFORMED, ""},
		{`{"nom":"x"}`, kolokol.EMALFORMED, ""},
	} {
		var in struct {
			Name string `json:"name"`
		}
		r := httptest.NewRequest("POST", "/newsroom/passkeys/add/begin", strings.NewReader(c.body))
		err := readJSON(httptest.NewRecorder(), r, &in)
		if kolokol.ErrorCode(err) != c.code || in.Name != c.name {
			t.Errorf("readJSON(%s) = %q, %v; want %q, code %q", c.body, in.Name, err, c.name, c.code)
		}
	}
}
