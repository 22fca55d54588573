package corpus

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"
)

// writer writes one story's text in one language from one random source.
// Text is written into buffers that grow once per story, not per word:
// writing is most of what the corpus costs besides storing it.
type writer struct {
	l   *lang
	rng *rand.Rand
	par bytes.Buffer // the paragraph being written, reused
}

func (w *writer) word() string { return w.l.words[w.rng.IntN(len(w.l.words))] }

func (w *writer) between(lo, hi int) int { return lo + w.rng.IntN(hi-lo+1) }

func (w *writer) chance(p float64) bool { return w.rng.Float64() < p }

// capital writes s starting with a capital letter where the script has
// them.
func (w *writer) capital(b *bytes.Buffer, s string) {
	if !w.l.cased {
		b.WriteString(s)
		return
	}
	r, n := utf8.DecodeRuneInString(s)
	b.WriteRune(w.l.upper.ToTitle(r))
	b.WriteString(s[n:])
}

// writePhrase writes n words, the first capitalised.
func (w *writer) writePhrase(b *bytes.Buffer, n int) {
	for i := range n {
		if i == 0 {
			w.capital(b, w.word())
			continue
		}
		b.WriteByte(' ')
		b.WriteString(w.word())
	}
}

func (w *writer) phrase(n int) string {
	var b bytes.Buffer
	b.Grow(16 * n)
	w.writePhrase(&b, n)
	return b.String()
}

// writeSentence writes 6 to 18 words with now and then a comma, and a full
// stop.
func (w *writer) writeSentence(b *bytes.Buffer) {
	n := w.between(6, 18)
	for i := range n {
		switch {
		case i == 0:
			w.capital(b, w.word())
			continue
		case i > 2 && i < n-2 && w.chance(0.08):
			b.WriteString(w.l.comma)
		}
		b.WriteByte(' ')
		b.WriteString(w.word())
	}
	b.WriteString(w.l.stop)
}

// writeSentences writes lo to hi sentences.
func (w *writer) writeSentences(b *bytes.Buffer, lo, hi int) {
	for i := range w.between(lo, hi) {
		if i > 0 {
			b.WriteByte(' ')
		}
		w.writeSentence(b)
	}
}

func (w *writer) sentences(lo, hi int) string {
	var b bytes.Buffer
	b.Grow(160 * hi)
	w.writeSentences(&b, lo, hi)
	return b.String()
}

// headline is 4 to 10 words; some name their subject first, as "Ferry:
// first crossing at dawn".
func (w *writer) headline() string {
	if w.chance(0.15) {
		return w.phrase(w.between(1, 2)) + ": " + w.phrase(w.between(3, 7))
	}
	return w.phrase(w.between(4, 10))
}

// body is Markdown the way reporters write it: paragraphs, now and then a
// sub-heading, a list, a quotation, a link or a word in bold.
func (w *writer) body(service, section string) string {
	var b bytes.Buffer
	b.Grow(4096)
	paras := w.between(3, 9)
	listAt, quoteAt := -1, -1
	if w.chance(0.2) {
		listAt = w.between(1, paras-1)
	}
	if w.chance(0.35) {
		quoteAt = w.between(1, paras-1)
	}
	links := 0
	for p := range paras {
		if p > 0 {
			b.WriteString("\n\n")
		}
		if p >= 2 && w.chance(0.18) {
			b.WriteString("## ")
			w.writePhrase(&b, w.between(2, 5))
			b.WriteString("\n\n")
		}
		switch p {
		case quoteAt:
			b.WriteString("> ")
			b.WriteString(w.l.quote(w.sentences(1, 2)))
			if len(w.l.names) > 0 && w.chance(0.5) {
				b.WriteString(" — ")
				b.WriteString(w.l.names[w.rng.IntN(len(w.l.names))])
			}
			continue
		case listAt:
			for i := range w.between(3, 5) {
				if i > 0 {
					b.WriteByte('\n')
				}
				b.WriteString("- ")
				w.writePhrase(&b, w.between(3, 8))
			}
			continue
		}
		w.par.Reset()
		w.writeSentences(&w.par, 2, 5)
		switch {
		case links < 2 && w.chance(0.2):
			b.WriteString(w.link(w.par.String(), service, section))
			links++
		case w.chance(0.1):
			b.WriteString(w.emphasis(w.par.String()))
		default:
			b.Write(w.par.Bytes())
		}
	}
	return b.String()
}

// link turns two or three words of a paragraph into a link to the
// service's own pages or to a page elsewhere.
func (w *writer) link(text, service, section string) string {
	words := strings.Split(text, " ")
	if len(words) < 6 {
		return text
	}
	i := w.between(1, len(words)-4)
	n := w.between(2, 3)
	var target string
	switch {
	case section != "" && w.chance(0.4):
		target = "/" + service + "/s/" + section + "/"
	case w.chance(0.5):
		target = "/" + service + "/archive/"
	default:
		target = "https://example.org/reports/" + service + "/" + string(rune('a'+w.rng.IntN(26))) + "/"
	}
	// The words after the link's own keep their punctuation outside it.
	last := strings.TrimRight(words[i+n-1], ".,։،")
	tail := words[i+n-1][len(last):]
	words[i] = "[" + words[i]
	words[i+n-1] = last + "](" + target + ")" + tail
	return strings.Join(words, " ")
}

func (w *writer) emphasis(text string) string {
	words := strings.Split(text, " ")
	i := w.between(1, len(words)-2)
	if strings.ContainsAny(words[i], ".,։،") {
		return text
	}
	words[i] = "**" + words[i] + "**"
	return strings.Join(words, " ")
}

// pick returns up to n distinct entries of list.
func (w *writer) pick(list []string, n int) []string {
	n = min(n, len(list))
	var out []string
	for len(out) < n {
		v := list[w.rng.IntN(len(list))]
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// fit cuts s to at most max characters, at a word.
func fit(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	if i := strings.LastIndexByte(string(r), ' '); i > 0 {
		return string(r)[:i]
	}
	return string(r)
}
