// Command i18nreport writes i18n/UNTRANSLATED.md: the UI strings each
// language's catalog still has in English, and the catalog keys and demo
// texts no native speaker has read yet. go generate ./i18n runs it.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/i18n"
)

func main() {
	// go generate runs in the package directory, a person usually in the
	// repository root: find the package either way.
	def := i18n.ReportFile
	if _, err := os.Stat(filepath.Join("i18n", "catalogs")); err == nil {
		def = filepath.Join("i18n", i18n.ReportFile)
	}
	out := flag.String("o", def, "file to write")
	flag.Parse()
	cs, err := i18n.Load()
	if err != nil {
		log.Fatal(err)
	}
	texts, err := demo.Unreviewed()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, []byte(cs.Report(texts)), 0o644); err != nil {
		log.Fatal(err)
	}
}
