package i18n_test

import (
	"os"
	"strings"
	"testing"

	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/i18n"
)

// TestReportCurrent fails when UNTRANSLATED.md does not match the catalogs
// and the demo's list of unreviewed texts: a translation or a review
// landed, or English was added, without the report.
func TestReportCurrent(t *testing.T) {
	got, err := os.ReadFile(i18n.ReportFile)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := demo.Unreviewed()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != i18n.Default().Report(texts) {
		t.Errorf("%s is stale: run go generate ./i18n", i18n.ReportFile)
	}
}

// An unreviewed text is filed under its language's catalog, with the
// catalog's own unreviewed keys, whichever form of the tag it comes with.
func TestReportUnreviewed(t *testing.T) {
	r := i18n.Default().Report([]i18n.Unreviewed{
		{Tag: "fa", Text: "demo/services.json, fa: safety", Note: "bridges | پل"},
		{Tag: "zz", Text: "a text in a language with no catalog"},
	})
	_, fa, _ := strings.Cut(r, "\n### fa-IR\n")
	fa, _, _ = strings.Cut(fa, "\n### ")
	if want := "\n\n| text | to check |\n|---|---|\n| demo/services.json, fa: safety | bridges \\| پل |\n"; !strings.Contains(fa, want) {
		t.Errorf("the fa-IR section has no %q:\n%s", want, fa)
	}
	for _, want := range []string{
		"\n| fa-IR | 34 | 1 |\n",
		"\n### zz\n",
	} {
		if !strings.Contains(r, want) {
			t.Errorf("the report has no %q:\n%s", want, r)
		}
	}
}
