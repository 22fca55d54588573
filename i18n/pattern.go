package i18n

import (
	"strconv"
	"strings"
)

// dateFields are what a CLDR date pattern can show, in whichever calendar
// the date was converted to.
type dateFields struct {
	year, month, day int
	hour, minute     int
	months           []string // wide month names, January (or Farvardin) first
}

// formatPattern applies the part of CLDR's date pattern syntax that the
// data files use (y, M/L, d, H, h, m, a, quoted literals) to f. It exists
// for the calendars and languages go-playground/locales does not cover;
// numbers come out in ASCII digits, which the Formatter then localizes.
// Unknown letters are copied, so a pattern that outgrows this shows up
// wrong on the page and in the golden tests instead of being dropped.
func formatPattern(pattern string, f dateFields) string {
	var b strings.Builder
	num := func(n, width int) {
		s := strconv.Itoa(n)
		for i := len(s); i < width; i++ {
			b.WriteByte('0')
		}
		b.WriteString(s)
	}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		if c == '\'' {
			// 'literal', with '' as a quote inside or alone.
			j := i + 1
			for j < len(pattern) {
				if pattern[j] == '\'' {
					if j+1 < len(pattern) && pattern[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(pattern[j])
				j++
			}
			if j == i+1 && j < len(pattern) {
				b.WriteByte('\'') // '' outside a literal
			}
			i = j + 1
			continue
		}
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			b.WriteByte(c)
			i++
			continue
		}
		n := 1
		for i+n < len(pattern) && pattern[i+n] == c {
			n++
		}
		switch c {
		case 'y':
			if n == 2 {
				num(f.year%100, 2)
			} else {
				num(f.year, n)
			}
		case 'M', 'L':
			if n <= 2 {
				num(f.month, n)
			} else if f.month >= 1 && f.month <= len(f.months) {
				b.WriteString(f.months[f.month-1])
			}
		case 'd':
			num(f.day, n)
		case 'H':
			num(f.hour, n)
		case 'h':
			h := f.hour % 12
			if h == 0 {
				h = 12
			}
			num(h, n)
		case 'm':
			num(f.minute, n)
		case 'a':
			if f.hour < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		default:
			b.WriteString(pattern[i : i+n])
		}
		i += n
	}
	return b.String()
}

// glue puts values in place of {0}, {1}, ... in a CLDR combining pattern
// (list and date-time patterns). Values are substituted in one pass, so a
// value that itself contains "{1}" is left alone.
func glue(pattern string, values ...string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(pattern, '{')
		if i < 0 || i+2 >= len(pattern) || pattern[i+2] != '}' || pattern[i+1] < '0' || int(pattern[i+1]-'0') >= len(values) {
			if i < 0 {
				b.WriteString(pattern)
				return b.String()
			}
			b.WriteString(pattern[:i+1])
			pattern = pattern[i+1:]
			continue
		}
		b.WriteString(pattern[:i])
		b.WriteString(values[pattern[i+1]-'0'])
		pattern = pattern[i+3:]
	}
}
