package i18n

import (
	"os"
	"testing"
)

// TestReportCurrent fails when UNTRANSLATED.md does not match the
// catalogs: a translation landed, or English was added, without the report.
func TestReportCurrent(t *testing.T) {
	got, err := os.ReadFile(ReportFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != Default().Report() {
		t.Errorf("%s is stale: run go generate ./i18n", ReportFile)
	}
}
