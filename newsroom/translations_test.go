package newsroom

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// TestStoryVersions: a story's page lists its versions, translates it into
// a chosen service, finds a version to link by its headline's words, links
// and unlinks by choosing; no page has a field to type a group into.
func TestStoryVersions(t *testing.T) {
	n, u := seoNewsroom(t)
	ctx := t.Context()
	if err := n.store.(kolokol.Store).CreateService(ctx, &kolokol.Service{Code: "en", Tag: "en", Script: "Latn", Direction: kolokol.LTR,
		Name: "English", EnglishName: "English", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	ru, err := n.desk.CreateArticle(ctx, u.Actor(), desk.ArticleInput{Service: "ru", Headline: "Паром вернулся", Body: "Текст."})
	if err != nil {
		t.Fatal(err)
	}
	other, err := n.desk.CreateArticle(ctx, u.Actor(), desk.ArticleInput{Service: "fa", Headline: "کشتی دیگری آمد", Body: "متن."})
	if err != nil {
		t.Fatal(err)
	}
	page := func(id int64, query string) (int, string) {
		t.Helper()
		a, err := n.desk.Article(ctx, u.Actor(), id)
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		n.showStory(w, httptest.NewRequest("GET", storyURL(id)+query, nil), u, 200, formOf(a), a, nil)
		return w.Code, w.Body.String()
	}
	post := func(id int64, action string, form url.Values) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest("POST", storyURL(id)+"/"+action, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetPathValue("id", strconv.FormatInt(id, 10))
		w := httptest.NewRecorder()
		switch action {
		case "translate":
			n.translateStory(w, r, u)
		case "link":
			n.linkStory(w, r, u)
		case "unlink":
			n.unlinkStory(w, r, u)
		}
		return w
	}
	contains := func(what, body string, want ...string) {
		t.Helper()
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("%s lacks %s", what, s)
			}
		}
	}

	_, body := page(ru.ID, "")
	contains("the page of a story with no versions", body, `id="versions"`, "no versions in other languages yet",
		`<option value="fa" lang="fa-IR" dir="rtl">فارسی</option>`, `<option value="en" lang="en" dir="ltr">English</option>`)
	if strings.Contains(body, `name="translation_group"`) {
		t.Error("the story form still has a translation group field")
	}

	w := post(ru.ID, "translate", url.Values{"service": {"fa"}})
	if w.Code != 303 {
		t.Fatalf("translate: %d %s", w.Code, w.Body)
	}
	loc := w.Header().Get("Location")
	faID, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/newsroom/stories/"), "?saved=1"), 10, 64)
	if err != nil {
		t.Fatalf("translate redirects to %q, not to the new draft", loc)
	}
	code, body := page(faID, "")
	if code != 200 {
		t.Fatalf("the draft's page: %d", code)
	}
	contains("the draft's page", body, `<span lang="fa-IR" dir="rtl">فارسی</span>`, `<span lang="ru" dir="ltr">Русский</span>`,
		`<a href="/newsroom/stories/`+strconv.FormatInt(ru.ID, 10)+`" lang="ru" dir="auto">Паром вернулся</a> (draft)`,
		"(this story, draft)", `name="version" value="`+strconv.FormatInt(ru.ID, 10)+`"`)
	if i := strings.Index(body, `id="translate-service"`); i < 0 {
		t.Error("the draft's page cannot translate into en")
	} else if into := body[i : i+strings.Index(body[i:], "</select>")]; strings.Contains(into, `value="ru"`) || !strings.Contains(into, `value="en"`) {
		t.Errorf("Translate into offers %s; want en only", into)
	}

	// A second fa version: the refusal is beside the select, naming the
	// version there is.
	w = post(ru.ID, "translate", url.Values{"service": {"fa"}})
	if w.Code != 409 {
		t.Fatalf("a second fa version: %d", w.Code)
	}
	contains("the refusal", w.Body.String(), `id="translate-service-error"`, "story "+strconv.FormatInt(faID, 10))

	// Unlink the draft: the last other version leaves too.
	if w = post(ru.ID, "unlink", url.Values{"version": {strconv.FormatInt(faID, 10)}}); w.Code != 303 || w.Header().Get("Location") != storyURL(ru.ID)+"#versions" {
		t.Fatalf("unlink: %d to %q", w.Code, w.Header().Get("Location"))
	}
	for _, id := range []int64{ru.ID, faID} {
		if a, _ := n.desk.Article(ctx, u.Actor(), id); a.TranslationGroup != "" {
			t.Errorf("story %d is still in group %q", id, a.TranslationGroup)
		}
	}

	// Find fa stories by a word of their headlines, and link one.
	_, body = page(ru.ID, "?link_service=fa&link_q=%DA%A9%D8%B4%D8%AA%DB%8C")
	contains("the search", body, `name="other" value="`+strconv.FormatInt(other.ID, 10)+`"`,
		`<option value="fa" lang="fa-IR" dir="rtl" selected>`)
	if strings.Contains(body, `name="other" value="`+strconv.FormatInt(faID, 10)+`"`) {
		t.Error("the search finds a story without its words")
	}
	_, body = page(ru.ID, "?link_service=fa&link_q=%D0%BF%D0%B0%D1%80%D0%BE%D0%BC") // "паром": the draft not yet translated
	contains("the search", body, `name="other" value="`+strconv.FormatInt(faID, 10)+`"`)
	_, body = page(ru.ID, "?link_service=fa&link_q=nothing-like-this")
	contains("a search that finds nothing", body, "No story of that language has these words")
	if w = post(ru.ID, "link", url.Values{"other": {strconv.FormatInt(other.ID, 10)}}); w.Code != 303 {
		t.Fatalf("link: %d %s", w.Code, w.Body)
	}
	_, body = page(ru.ID, "?link_service=fa&link_q=%DA%A9%D8%B4%D8%AA%DB%8C")
	contains("the page after linking", body, `<a href="/newsroom/stories/`+strconv.FormatInt(other.ID, 10)+`" lang="fa-IR" dir="auto">کشتی دیگری آمد</a>`)
	if strings.Contains(body, `name="other" value="`+strconv.FormatInt(other.ID, 10)+`"`) {
		t.Error("the search still offers the version just linked")
	}

	// Linking another fa story is refused beside the search.
	w = post(ru.ID, "link", url.Values{"other": {strconv.FormatInt(faID, 10)}})
	if w.Code != 409 {
		t.Fatalf("a second fa version linked: %d", w.Code)
	}
	contains("the refusal", w.Body.String(), `id="link-q-error"`)
	w = post(ru.ID, "link", url.Values{"other": {"x"}})
	if w.Code != 422 {
		t.Fatalf("link without a story: %d", w.Code)
	}
	contains("the refusal", w.Body.String(), `id="link-q-error"`, "choose a story to link")
}
