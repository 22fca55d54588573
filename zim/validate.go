package zim

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits from the openZIM metadata page ("maximum recommended"); Kiwix cuts
// longer text in its library view, so we refuse it rather than ship it cut.
const (
	maxTitle           = 30
	maxDescription     = 80
	maxLongDescription = 4000
	// maxPathTitle is libzim's TinyString limit on a dirent's path and
	// title together.
	maxPathTitle = 0xFFFF - 2
	// maxRedirects bounds a chain of redirects, in the writer and the reader.
	maxRedirects = 32
)

// validate checks everything Write needs before a byte is written, and
// names the first problem it finds.
func validate(a *Archive) error {
	if a == nil {
		return errors.New("zim: no archive")
	}
	if len(a.Entries) == 0 {
		return errors.New("zim: archive has no entries")
	}
	if err := validateMetadata(&a.Metadata); err != nil {
		return err
	}
	seen := make(map[string]bool, len(a.Entries)+len(a.Redirects))
	for i := range a.Entries {
		e := &a.Entries[i]
		if err := checkPath(e.Path, e.Title); err != nil {
			return fmt.Errorf("zim: entry %d: %w", i, err)
		}
		if seen[e.Path] {
			return fmt.Errorf("zim: entry %d: duplicate path %q", i, e.Path)
		}
		seen[e.Path] = true
		if e.MIME == "" {
			return fmt.Errorf("zim: entry %q has no MIME type", e.Path)
		}
		if err := checkText("MIME type", e.MIME); err != nil {
			return fmt.Errorf("zim: entry %q: %w", e.Path, err)
		}
		// A MIME type goes into an HTTP header in kiwix-serve: no line
		// breaks, and white space only among its parameters.
		if typ, _, _ := strings.Cut(e.MIME, ";"); strings.ContainsAny(e.MIME, "\t\r\n") || strings.ContainsRune(typ, ' ') {
			return fmt.Errorf("zim: entry %q: MIME type %q has white space", e.Path, e.MIME)
		}
		// zimcheck reports empty entries as errors.
		if len(e.Data) == 0 {
			return fmt.Errorf("zim: entry %q has no data", e.Path)
		}
	}
	targets := make(map[string]string, len(a.Redirects))
	for i, r := range a.Redirects {
		if err := checkPath(r.Path, r.Title); err != nil {
			return fmt.Errorf("zim: redirect %d: %w", i, err)
		}
		if seen[r.Path] {
			return fmt.Errorf("zim: redirect %d: duplicate path %q", i, r.Path)
		}
		seen[r.Path] = true
		targets[r.Path] = r.Target
	}
	for _, r := range a.Redirects {
		if _, err := resolve(r.Path, seen, targets); err != nil {
			return fmt.Errorf("zim: redirect %q: %w", r.Path, err)
		}
	}
	if a.Main == "" {
		return errors.New("zim: archive has no main page")
	}
	if _, err := resolve(a.Main, seen, targets); err != nil {
		return fmt.Errorf("zim: main page %q: %w", a.Main, err)
	}
	return nil
}

// resolve follows redirects from path to an entry, refusing a missing
// target and a loop.
func resolve(path string, exists map[string]bool, targets map[string]string) (string, error) {
	for hops := 0; hops <= maxRedirects; hops++ {
		if !exists[path] {
			return "", fmt.Errorf("%q does not exist", path)
		}
		next, ok := targets[path]
		if !ok {
			return path, nil
		}
		path = next
	}
	return "", fmt.Errorf("redirect loop or chain longer than %d", maxRedirects)
}

// checkPath refuses what a URL inside Kiwix cannot carry or would
// resolve elsewhere.
func checkPath(path, title string) error {
	switch {
	case path == "":
		return errors.New("empty path")
	case !utf8.ValidString(path):
		return fmt.Errorf("path %q is not valid UTF-8", path)
	case strings.HasPrefix(path, "/"):
		return fmt.Errorf("path %q starts with a slash", path)
	case strings.ContainsAny(path, "\x00?#\\"):
		return fmt.Errorf("path %q holds a NUL, '?', '#' or backslash", path)
	case len(path)+len(title) > maxPathTitle:
		return fmt.Errorf("path %.40q and title are longer than %d bytes together", path, maxPathTitle)
	}
	for _, seg := range strings.Split(path, "/") {
		switch seg {
		case "":
			return fmt.Errorf("path %q has an empty segment", path)
		case ".", "..":
			return fmt.Errorf("path %q has a %q segment", path, seg)
		}
	}
	for _, r := range path {
		if unicode.IsControl(r) {
			return fmt.Errorf("path %q holds a control character", path)
		}
	}
	if err := checkText("title", title); err != nil {
		return fmt.Errorf("path %q: %w", path, err)
	}
	return nil
}

// checkText refuses text that would not survive as a NUL-terminated UTF-8
// string.
func checkText(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("%s %q holds a NUL byte", what, s)
	}
	return nil
}

func validateMetadata(m *Metadata) error {
	required := []struct{ name, value string }{
		{"Name", m.Name}, {"Title", m.Title}, {"Creator", m.Creator},
		{"Publisher", m.Publisher}, {"Date", m.Date},
		{"Description", m.Description}, {"Language", m.Language},
	}
	for _, f := range required {
		if strings.TrimSpace(f.value) == "" {
			return fmt.Errorf("zim: metadata %s is missing", f.name)
		}
	}
	for _, f := range metadataItems(m) {
		if f.name == illustrationName {
			continue // a PNG, checked below
		}
		if err := checkText("metadata "+f.name, string(f.value)); err != nil {
			return fmt.Errorf("zim: %w", err)
		}
	}
	if strings.ContainsAny(m.Name, " \t\r\n/") {
		return fmt.Errorf("zim: metadata Name %q holds white space or a slash", m.Name)
	}
	if n := graphemes(m.Title); n > maxTitle {
		return fmt.Errorf("zim: metadata Title has %d characters, at most %d", n, maxTitle)
	}
	if n := graphemes(m.Description); n > maxDescription {
		return fmt.Errorf("zim: metadata Description has %d characters, at most %d", n, maxDescription)
	}
	if n := graphemes(m.LongDescription); n > maxLongDescription {
		return fmt.Errorf("zim: metadata LongDescription has %d characters, at most %d", n, maxLongDescription)
	}
	if m.LongDescription != "" && m.LongDescription == m.Description {
		return errors.New("zim: metadata LongDescription repeats Description")
	}
	if _, err := time.Parse("2006-01-02", m.Date); err != nil {
		return fmt.Errorf("zim: metadata Date %q is not a date YYYY-MM-DD", m.Date)
	}
	for _, code := range strings.Split(m.Language, ",") {
		if !isISO6393(code) {
			return fmt.Errorf("zim: metadata Language %q: %q is not an ISO 639-3 code (three lower-case letters)", m.Language, code)
		}
	}
	if len(m.Illustration48) == 0 {
		return errors.New("zim: metadata Illustration_48x48@1 is missing")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(m.Illustration48))
	if err != nil {
		return fmt.Errorf("zim: metadata Illustration_48x48@1 is not a PNG: %w", err)
	}
	if cfg.Width != 48 || cfg.Height != 48 {
		return fmt.Errorf("zim: metadata Illustration_48x48@1 is %dx%d, not 48x48", cfg.Width, cfg.Height)
	}
	return nil
}

func isISO6393(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'a' || code[i] > 'z' {
			return false
		}
	}
	return true
}

// graphemes counts what a reader sees as characters, closely enough for
// a length limit: runes, less combining marks (Persian and Arabic vowel
// signs among them).
func graphemes(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Me, r) {
			n++
		}
	}
	return n
}

type metaItem struct {
	name  string
	value []byte
}

// metadataItems lists the M entries a Metadata becomes, leaving out empty
// optional ones.
func metadataItems(m *Metadata) []metaItem {
	var items []metaItem
	add := func(name, v string) {
		if v != "" {
			items = append(items, metaItem{name, []byte(v)})
		}
	}
	add("Name", m.Name)
	add("Title", m.Title)
	add("Creator", m.Creator)
	add("Publisher", m.Publisher)
	add("Date", m.Date)
	add("Description", m.Description)
	add("LongDescription", m.LongDescription)
	add("Language", m.Language)
	add("Tags", m.Tags)
	add("Source", m.Source)
	add("Flavour", m.Flavour)
	add("Scraper", m.Scraper)
	if len(m.Illustration48) > 0 {
		items = append(items, metaItem{illustrationName, m.Illustration48})
	}
	return items
}
