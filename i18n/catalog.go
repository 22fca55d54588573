package i18n

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// message is one UI string or, for a message about a count, one string per
// CLDR plural form the language has.
type message struct {
	text  string
	forms map[plural.Form]string // nil for a plain message
}

// Catalog is one language's UI strings with its Formatter. A Catalog is
// immutable and safe for concurrent use.
type Catalog struct {
	tag          string       // the catalog's own tag: "fa-AF", "ru"
	lang         language.Tag // for CLDR plural rules
	msgs         map[string]message
	untranslated []string // keys still holding the English text, sorted
	unreviewed   []string // keys translated without a native speaker, sorted
	f            *Formatter
}

// formNames are CLDR's names of the plural categories, as the catalog
// files spell them.
var formNames = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

func formName(f plural.Form) string {
	for n, g := range formNames {
		if g == f {
			return n
		}
	}
	return "?"
}

// PluralForms returns the CLDR cardinal plural categories of a language,
// in CLDR's order (zero, one, two, few, many, other). x/text exposes the
// rules but not the list, so the list is read off the rules: integers to
// a million and one- and two-digit decimals reach every category of every
// language CLDR describes.
func PluralForms(tag string) []string {
	lang := language.Make(tag)
	seen := map[plural.Form]bool{}
	for i := 0; i <= 1000; i++ {
		seen[plural.Cardinal.MatchPlural(lang, i, 0, 0, 0, 0)] = true
		for f := 0; f < 10; f++ {
			w := 0
			if f != 0 {
				w = 1
			}
			seen[plural.Cardinal.MatchPlural(lang, i, 1, w, f, f)] = true
		}
		seen[plural.Cardinal.MatchPlural(lang, i, 2, 2, i%100, i%100)] = true
	}
	seen[plural.Cardinal.MatchPlural(lang, 1000000, 0, 0, 0, 0)] = true
	var out []string
	for _, n := range []string{"zero", "one", "two", "few", "many", "other"} {
		if seen[formNames[n]] {
			out = append(out, n)
		}
	}
	return out
}

// parseCatalog reads one file of i18n/catalogs. Keys starting with "_" are
// about the file: "_comment" for people, "_untranslated" and "_unreviewed"
// for the report.
func parseCatalog(tag string, raw []byte) (*Catalog, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("catalog %s: %w", tag, err)
	}
	c := &Catalog{tag: tag, lang: language.Make(tag), msgs: make(map[string]message, len(fields))}
	for k, v := range fields {
		switch {
		case k == "_comment":
			continue
		case k == "_untranslated":
			if err := json.Unmarshal(v, &c.untranslated); err != nil {
				return nil, fmt.Errorf("catalog %s: _untranslated: %w", tag, err)
			}
			slices.Sort(c.untranslated)
			continue
		case k == "_unreviewed":
			if err := json.Unmarshal(v, &c.unreviewed); err != nil {
				return nil, fmt.Errorf("catalog %s: _unreviewed: %w", tag, err)
			}
			slices.Sort(c.unreviewed)
			continue
		case strings.HasPrefix(k, "_"):
			return nil, fmt.Errorf("catalog %s: unknown field %q", tag, k)
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			c.msgs[k] = message{text: s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return nil, fmt.Errorf("catalog %s: %q is neither a string nor plural forms", tag, k)
		}
		m := message{forms: make(map[plural.Form]string, len(forms))}
		for name, s := range forms {
			f, ok := formNames[name]
			if !ok {
				return nil, fmt.Errorf("catalog %s: %q has unknown plural form %q", tag, k, name)
			}
			m.forms[f] = s
		}
		c.msgs[k] = m
	}
	return c, nil
}

// checkAgainst reports how c differs in shape from the reference (English)
// catalog: missing or extra keys, a plain message where a plural one is
// due, plural forms other than the language's, format verbs that differ.
// Load refuses catalogs with any of these, so no message can be missing
// at run time.
func (c *Catalog) checkAgainst(ref *Catalog) []string {
	var errs []string
	want := PluralForms(c.tag)
	for _, k := range ref.keys() {
		rm, m := ref.msgs[k], c.msgs[k]
		if _, ok := c.msgs[k]; !ok {
			errs = append(errs, fmt.Sprintf("missing %q", k))
			continue
		}
		if (rm.forms == nil) != (m.forms == nil) {
			errs = append(errs, fmt.Sprintf("%q must be %s", k, map[bool]string{true: "a string", false: "plural forms"}[rm.forms == nil]))
			continue
		}
		if m.forms == nil {
			if verbs(m.text) != verbs(rm.text) {
				errs = append(errs, fmt.Sprintf("%q has verbs %q, English %q", k, verbs(m.text), verbs(rm.text)))
			}
			continue
		}
		var got []string
		for f, s := range m.forms {
			got = append(got, formName(f))
			if verbs(s) != verbs(rm.forms[plural.Other]) {
				errs = append(errs, fmt.Sprintf("%q %s has verbs %q, English %q", k, formName(f), verbs(s), verbs(rm.forms[plural.Other])))
			}
		}
		if slices.Sort(got); !slices.Equal(got, sortedCopy(want)) {
			errs = append(errs, fmt.Sprintf("%q has forms %v, CLDR's %s has %v", k, got, c.tag, want))
		}
	}
	for k := range c.msgs {
		if _, ok := ref.msgs[k]; !ok {
			errs = append(errs, fmt.Sprintf("%q is not an English key", k))
		}
	}
	for _, k := range c.untranslated {
		if _, ok := ref.msgs[k]; !ok {
			errs = append(errs, fmt.Sprintf("_untranslated names unknown key %q", k))
		}
	}
	for _, k := range c.unreviewed {
		if _, ok := ref.msgs[k]; !ok {
			errs = append(errs, fmt.Sprintf("_unreviewed names unknown key %q", k))
		}
		// English has nothing to review; a key is one or the other.
		if slices.Contains(c.untranslated, k) {
			errs = append(errs, fmt.Sprintf("%q is both _untranslated and _unreviewed", k))
		}
	}
	slices.Sort(errs)
	return errs
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// verbs returns a message's format verbs in order: "%s%d" for "Page %d of %d"
// is "%d%d". Only %s and %d are meaningful in catalogs.
func verbs(s string) string {
	var b strings.Builder
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' {
			b.WriteString(s[i : i+2])
			i++
		}
	}
	return b.String()
}

func (c *Catalog) keys() []string {
	out := make([]string, 0, len(c.msgs))
	for k := range c.msgs {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Tag returns the catalog's own BCP 47 tag ("fa-AF", "ru"), which may be
// less specific than the tag it was asked for.
func (c *Catalog) Tag() string { return c.tag }

// Lang returns the catalog's base language: "fa" for both "fa-IR" and
// "fa-AF".
func (c *Catalog) Lang() string {
	l, _, _ := splitTag(c.tag)
	return l
}

// Formatter returns the catalog's dates, numbers and lists formatter.
func (c *Catalog) Formatter() *Formatter { return c.f }

// Has reports whether the catalog has key.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[key]
	return ok
}

// Plural reports whether key is a message about a count, for N.
func (c *Catalog) Plural(key string) bool { return c.msgs[key].forms != nil }

// Forms returns a plural message's text for each of its forms, by CLDR
// name; nil for a plain message.
func (c *Catalog) Forms(key string) map[string]string {
	m := c.msgs[key]
	if m.forms == nil {
		return nil
	}
	out := make(map[string]string, len(m.forms))
	for f, s := range m.forms {
		out[formName(f)] = s
	}
	return out
}

// Untranslated returns the keys whose text is still the English one.
func (c *Catalog) Untranslated() []string { return slices.Clone(c.untranslated) }

// Unreviewed returns the keys translated without a native speaker of the
// language, which one has yet to read.
func (c *Catalog) Unreviewed() []string { return slices.Clone(c.unreviewed) }

// T returns the plain message for key. An unknown key (or a plural one,
// which needs N) comes back as the key itself, so that a mistake shows on
// the page rather than as a blank or as silent English; Load guarantees
// every catalog has every key.
func (c *Catalog) T(key string) string {
	m, ok := c.msgs[key]
	if !ok || m.forms != nil {
		return key
	}
	return m.text
}

// Tf formats the message for key with args, fmt-style, writing integer
// arguments in the language's digits and grouping: fmt knows only ASCII.
func (c *Catalog) Tf(key string, args ...any) string {
	return c.sprintf(c.T(key), args...)
}

// N returns the plural message for key in the form CLDR's rules choose for
// n in this language, with n in place of its %d.
func (c *Catalog) N(key string, n int) string {
	m, ok := c.msgs[key]
	if !ok || m.forms == nil {
		return key
	}
	i := n
	if i < 0 {
		i = -i
	}
	s, ok := m.forms[plural.Cardinal.MatchPlural(c.lang, i, 0, 0, 0, 0)]
	if !ok {
		s = m.forms[plural.Other]
	}
	return c.sprintf(s, n)
}

func (c *Catalog) sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	local := make([]any, len(args))
	for i, a := range args {
		switch n := a.(type) {
		case int:
			local[i] = c.f.Number(n)
		case int64:
			local[i] = c.f.Number(int(n))
		default:
			local[i] = a
		}
	}
	return fmt.Sprintf(strings.ReplaceAll(format, "%d", "%s"), local...)
}

// List joins items with the language's CLDR list pattern.
func (c *Catalog) List(items []string) string { return c.f.List(items) }
