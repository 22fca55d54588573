package corpus

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/i18n"
)

// lang is what a service's stories are made of, drawn from text written in
// its language for this project: the demo stories, the service's own texts
// (about, legal status, safety page, section names) and its UI catalog.
// Every word is in the service's script, so a Georgian story is Georgian
// letters from headline to tags.
type lang struct {
	script string
	cased  bool // the script has capital letters to start a sentence with
	upper  unicode.SpecialCase
	// words keeps repeats, so that drawing from it uniformly draws common
	// words more often, as text does.
	words     []string
	long      []string // words of six letters or more: tags, sub-headings
	names     []string // bylines
	datelines []string
	tags      []string
	wires     []string    // agencies the demo's stories credit
	photos    []photoText // alt, caption and credit of the demo's photo
	stop      string      // full stop
	comma     string
	quote     func(string) string
}

// photoText describes the demo photo (a ferry on a river under hills), of
// which every generated photo is a variant, so the alt text stays true.
type photoText struct{ alt, caption, credit string }

// scripts maps the ISO 15924 codes of services to Unicode's script tables.
var scripts = map[string]*unicode.RangeTable{
	"Latn": unicode.Latin, "Cyrl": unicode.Cyrillic, "Arab": unicode.Arabic, "Geor": unicode.Georgian,
	"Armn": unicode.Armenian, "Grek": unicode.Greek, "Hebr": unicode.Hebrew, "Deva": unicode.Devanagari,
}

// InScript reports whether every letter and mark of s belongs to the script
// (ISO 15924), besides the modifier apostrophes (ʻ, ʼ) that Uzbek and
// others spell letters with, and combining marks shared by every script.
// An unknown script has no letters in it.
func InScript(s, script string) bool {
	table, ok := scripts[script]
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			continue
		}
		switch {
		case ok && unicode.Is(table, r):
		case unicode.Is(unicode.Lm, r) && unicode.Is(unicode.Common, r):
		case unicode.IsMark(r) && unicode.Is(unicode.Inherited, r):
		default:
			return false
		}
	}
	return true
}

var (
	// formatVerb matches the placeholders of catalog messages (%s, %d).
	formatVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	// address matches what is not prose: web and mail addresses, domains.
	address = regexp.MustCompile(`\S*(://|@|\w\.\w)\S*`)
	// markdownLink keeps a link's text and drops its address.
	markdownLink = regexp.MustCompile(`\]\([^)]*\)`)
)

// lower is s in lower case, by the language's rules.
func (l *lang) lower(s string) string { return strings.ToLowerSpecial(l.upper, s) }

// newLang gathers the words of a service from the demo data. It returns
// false when they are too few to write with.
func newLang(spec desk.ServiceSpec, stories []demo.Story) (*lang, bool) {
	l := &lang{script: spec.Script, stop: ".", comma: ","}
	switch spec.Script {
	case "Latn", "Cyrl", "Armn", "Grek":
		l.cased = true
	}
	switch spec.Script {
	case "Armn":
		l.stop = "։" // Armenian full stop
	case "Arab":
		l.comma = "،"
	}
	if code, _, _ := strings.Cut(spec.Tag, "-"); code == "az" || code == "crh" || code == "tr" {
		l.upper = unicode.TurkishCase // i to İ
	}
	texts := []string{spec.About, spec.LegalStatus, spec.Safety}
	for _, sec := range spec.Sections {
		texts = append(texts, sec.Name)
	}
	for _, s := range stories {
		if s.Service != spec.Code {
			continue
		}
		texts = append(texts, s.Headline, s.Summary, kolokol.BodyText(s.Body)) // a block's words, not its keys
		texts = append(texts, s.Corrections...)
		l.names = appendInScript(l.names, spec.Script, s.Bylines...)
		l.datelines = appendInScript(l.datelines, spec.Script, s.Dateline)
		l.tags = appendInScript(l.tags, spec.Script, s.Tags...)
		// The credit names the outlet ("Kolokol Demo / Anna Lindqvist"),
		// in whichever script it writes its name.
		if li := s.LeadImage; li != nil && li.Alt != "" && InScript(li.Alt+li.Caption, spec.Script) {
			l.photos = append(l.photos, photoText{li.Alt, li.Caption, li.Credit})
		}
	}
	if c, ok := i18n.Default().Lookup(spec.Tag); ok {
		untranslated := c.Untranslated()
		for _, key := range i18n.Keys() {
			if slices.Contains(untranslated, key) {
				continue // English copied into the catalog
			}
			if c.Plural(key) {
				forms := c.Forms(key)
				for _, f := range i18n.PluralForms(c.Tag()) {
					texts = append(texts, forms[f])
				}
			} else {
				texts = append(texts, c.T(key))
			}
		}
		l.quote = c.Formatter().Quote
	}
	if l.quote == nil {
		l.quote = func(s string) string { return "“" + s + "”" }
	}
	var tokens []token
	for _, t := range texts {
		tokens = append(tokens, words(t, spec.Script)...)
	}
	if len(tokens) < 50 {
		return nil, false
	}
	// A capitalised word that starts a sentence is written in lower case
	// mid-sentence, unless it is capitalised mid-sentence somewhere too
	// (a name).
	proper := map[string]bool{}
	for _, t := range tokens {
		if !t.initial && l.lower(t.word) != t.word {
			proper[t.word] = true
		}
	}
	for _, t := range tokens {
		w := t.word
		if t.initial && !proper[w] {
			w = l.lower(w)
		}
		l.words = append(l.words, w)
	}
	seen := map[string]bool{}
	for _, w := range l.words {
		if len([]rune(w)) >= 6 && !seen[w] {
			seen[w] = true
			l.long = append(l.long, w)
		}
	}
	l.names = combineNames(l.names)
	if len(l.tags) < 8 {
		l.tags = append(l.tags, l.long[:min(len(l.long), 8-len(l.tags))]...)
	}
	return l, true
}

// token is a word of the demo's text; initial says it starts a sentence
// (or a heading, list item or label), where words are capitalised.
type token struct {
	word    string
	initial bool
}

// words splits prose into words of the script, in order, repeats kept.
func words(text, script string) []token {
	text = markdownLink.ReplaceAllString(text, "] ")
	text = address.ReplaceAllString(formatVerb.ReplaceAllString(text, " "), " ")
	var out []token
	initial := true
	for len(text) > 0 {
		i := strings.IndexFunc(text, inWord)
		if i < 0 {
			break
		}
		if strings.ContainsAny(text[:i], ".!?։؟…:\n") {
			initial = true
		} else if strings.ContainsFunc(text[:i], unicode.IsDigit) {
			initial = false
		}
		text = text[i:]
		j := strings.IndexFunc(text, func(r rune) bool { return !inWord(r) })
		if j < 0 {
			j = len(text)
		}
		w := strings.Trim(text[:j], "\u200c'’ʼʻ")
		text = text[j:]
		if w != "" && InScript(w, script) && strings.ContainsFunc(w, unicode.IsLetter) {
			out = append(out, token{w, initial})
		}
		initial = false
	}
	return out
}

// inWord: letters, their marks, the ZWNJ of Persian spelling and the
// apostrophes some Latin alphabets write letters with.
func inWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || r == '\u200c' || r == '\'' || r == '’' || r == 'ʼ' || r == 'ʻ'
}

func appendInScript(list []string, script string, vals ...string) []string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" && InScript(v, script) && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// combineNames makes more bylines from the demo's: every given name with
// every family name of the same service.
func combineNames(names []string) []string {
	var given, family []string
	for _, n := range names {
		parts := strings.Fields(n)
		if len(parts) < 2 {
			continue
		}
		g, f := strings.Join(parts[:len(parts)-1], " "), parts[len(parts)-1]
		if !slices.Contains(given, g) {
			given = append(given, g)
		}
		if !slices.Contains(family, f) {
			family = append(family, f)
		}
	}
	out := slices.Clone(names)
	for _, g := range given {
		for _, f := range family {
			if n := g + " " + f; !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// languages gathers a lang for every built-in service, by code; a service
// the demo does not know borrows the words of one with its language tag,
// or failing that, its script.
type languages struct {
	byCode map[string]*lang
	specs  []desk.ServiceSpec
}

func loadLanguages() (*languages, error) {
	specs, err := demo.Services()
	if err != nil {
		return nil, err
	}
	stories, err := demo.Stories()
	if err != nil {
		return nil, err
	}
	var wires []string
	for _, s := range stories {
		for _, c := range s.Credits {
			if !slices.Contains(wires, c) {
				wires = append(wires, c)
			}
		}
	}
	ls := &languages{byCode: map[string]*lang{}, specs: specs}
	for _, spec := range specs {
		if l, ok := newLang(spec, stories); ok {
			l.wires = wires
			ls.byCode[spec.Code] = l
		}
	}
	return ls, nil
}

// forService finds the words for a service as the store has it.
func (ls *languages) forService(s *kolokol.Service) *lang {
	if l, ok := ls.byCode[s.Code]; ok && l.script == s.Script {
		return l
	}
	for _, match := range []func(desk.ServiceSpec) bool{
		func(spec desk.ServiceSpec) bool { return strings.EqualFold(spec.Tag, s.Tag) && spec.Script == s.Script },
		func(spec desk.ServiceSpec) bool { return spec.Script == s.Script },
	} {
		for _, spec := range ls.specs {
			if l, ok := ls.byCode[spec.Code]; ok && match(spec) {
				return l
			}
		}
	}
	return nil
}
