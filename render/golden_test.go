package render

import (
	"context"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/kolokol/kolokol"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Times and ids depend on when the test runs; the golden files hold the
// rest of the page byte for byte.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`<time datetime="[^"]*"([^>]*)>[^<]*</time>`), `<time datetime="T"$1>T</time>`},
	{regexp.MustCompile(`"date(Published|Modified)":"[^"]*"`), `"date$1":"T"`},
	{regexp.MustCompile(`/a/\d+-`), `/a/ID-`},
	{regexp.MustCompile(`style\.[0-9a-f]+\.css`), `style.HASH.css`},
}

// TestGoldenArticles pins the whole markup of a right-to-left Persian page
// and a Georgian page: bidi isolation, lang and dir, every PAGE.md element.
// Run with -update after an intended change and review the diff.
func TestGoldenArticles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ka := &kolokol.Article{Service: "ka", Status: kolokol.StatusPublished, PublishedAt: published0,
		Headline: "ბორანი ძველ ქალაქს დაუბრუნდა", Summary: "მოხალისეების აშენებული ბორანი ხალხს მდინარეზე გადაჰყავს.",
		Body:    "პირველ გადასვლას თერთმეტი წუთი დასჭირდა.\n\n> „ბებიაჩემი ყოველ დილით აქედან გადადიოდა.“",
		Bylines: []string{"ანა ლინდკვისტი", "John Smith"}, Dateline: "რივერტონი", Credits: []string{"Reuters", "AFP", "AP"},
		LeadImage: &kolokol.LeadImage{MediaID: f.media.ID, Alt: "თეთრი ბორანი ნაცრისფერ მდინარეზე", Caption: "ბორანი, 12 მაისი.", Credit: "Kolokol"}}
	fa := &kolokol.Article{Service: "fa", Section: "world", Status: kolokol.StatusPublished, PublishedAt: published0,
		Headline: "بازگشت کشتی به شهر پس از ۴۰ سال با نام Kolokol Ferry",
		Summary:  "کشتی\u200cای که داوطلبان ساخته\u200cاند، مسافران را جابه\u200cجا می\u200cکند.",
		Body:     "نخستین سفر یازده دقیقه طول کشید.\n\n> «مادربزرگم هر روز از این\u200cجا می\u200cرفت.»",
		Bylines:  []string{"آنا لیندکویست", "John Smith"}, Dateline: "ریورتون", Credits: []string{"Reuters", "AFP"},
		LeadImage: &kolokol.LeadImage{MediaID: f.media.ID, Alt: "کشتی سفید روی رودخانهٔ خاکستری", Caption: "کشتی در نخستین سفر.", Credit: "Kolokol Demo / آنا"}}
	for _, a := range []*kolokol.Article{ka, fa} {
		a.Normalize()
		if err := f.store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := f.store.AddCorrection(ctx, &kolokol.Correction{ArticleID: a.ID, Text: a.Summary}); err != nil {
			t.Fatal(err)
		}
		path, _ := url.PathUnescape(a.Path()) // as net/http hands it over
		got := f.build(t, path)
		if got.Status != 200 {
			t.Fatalf("%s: %d", a.Path(), got.Status)
		}
		body := got.Body
		for _, v := range volatile {
			body = v.re.ReplaceAll(body, []byte(v.with))
		}
		golden := filepath.Join("testdata", "golden", a.Service+"-article.html")
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, body, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./render -run TestGolden -update)", err)
		}
		if string(want) != string(body) {
			t.Errorf("%s differs from %s; run with -update and review the diff:\n%s", a.Path(), golden, body)
		}
	}
}
