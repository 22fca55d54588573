package i18n

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/locales"
	"github.com/go-playground/locales/az"
	"github.com/go-playground/locales/be"
	"github.com/go-playground/locales/bg"
	"github.com/go-playground/locales/bs"
	"github.com/go-playground/locales/en_001"
	"github.com/go-playground/locales/fa_AF"
	"github.com/go-playground/locales/fa_IR"
	"github.com/go-playground/locales/hu"
	"github.com/go-playground/locales/hy"
	"github.com/go-playground/locales/ka"
	"github.com/go-playground/locales/kk"
	"github.com/go-playground/locales/ky"
	"github.com/go-playground/locales/mk"
	"github.com/go-playground/locales/ps_AF"
	"github.com/go-playground/locales/ro_MD"
	"github.com/go-playground/locales/ru"
	"github.com/go-playground/locales/sq"
	"github.com/go-playground/locales/sr_Latn"
	"github.com/go-playground/locales/tg"
	"github.com/go-playground/locales/tk"
	"github.com/go-playground/locales/tt"
	"github.com/go-playground/locales/uk"
	"github.com/go-playground/locales/uz"
)

// libraries are the go-playground/locales packages (generated from CLDR)
// that the data files name for Gregorian month names and date and time
// patterns. Each is imported explicitly: the library has no registry, and
// importing only these keeps the other 700 locales out of the binary.
var libraries = map[string]func() locales.Translator{
	"az": az.New, "be": be.New, "bg": bg.New, "bs": bs.New, "en_001": en_001.New,
	"fa_AF": fa_AF.New, "fa_IR": fa_IR.New, "hu": hu.New, "hy": hy.New, "ka": ka.New,
	"kk": kk.New, "ky": ky.New, "mk": mk.New, "ps_AF": ps_AF.New, "ro_MD": ro_MD.New,
	"ru": ru.New, "sq": sq.New, "sr_Latn": sr_Latn.New, "tg": tg.New, "tk": tk.New,
	"tt": tt.New, "uk": uk.New, "uz": uz.New,
}

// localeData is one file of i18n/cldr: what CLDR says about a language
// beyond its UI strings, for the parts go-playground/locales lacks (list
// patterns, quotation marks, digits, the Solar Hijri calendar) and, for
// the languages it lacks entirely, Gregorian months and patterns too.
type localeData struct {
	Source      []string          `json:"_source"`  // where the data came from
	Library     string            `json:"library"`  // go-playground/locales package, "" for none
	Calendar    string            `json:"calendar"` // "gregorian" or "persian"
	Digits      string            `json:"digits"`   // the ten digits, zero first
	Group       string            `json:"group"`
	MinGrouping int               `json:"min_grouping"` // digits before the first group separator appears: 1 groups 1,000; 2 groups only from 10,000
	List        map[string]string `json:"list"`         // CLDR list patterns: "2", "start", "middle", "end"
	Quotes      []string          `json:"quotes"`       // opening and closing quotation marks
	DateTime    string            `json:"datetime"`     // {1} the date, {0} the time
	Alongside   string            `json:"alongside"`    // {0} the calendar's date, {1} the Gregorian date
	Gregorian   *calendarData     `json:"gregorian"`
	Persian     *calendarData     `json:"persian"`

	digits [10]string
	tr     locales.Translator
}

// calendarData is a calendar's wide month names and patterns.
type calendarData struct {
	Months   []string `json:"months"`
	Date     string   `json:"date"`     // CLDR long date pattern
	Time     string   `json:"time"`     // CLDR short time pattern
	DateTime string   `json:"datetime"` // overrides localeData.DateTime in this calendar
}

func parseLocaleData(name string, raw []byte) (*localeData, error) {
	var d localeData
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields() // a misspelt field would silently be zero
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: "+format, append([]any{name}, args...)...)
	}
	if utf8.RuneCountInString(d.Digits) != 10 {
		return nil, bad("digits must be ten characters, got %q", d.Digits)
	}
	i := 0
	for _, r := range d.Digits {
		d.digits[i] = string(r)
		i++
	}
	for _, k := range []string{"2", "start", "middle", "end"} {
		if p := d.List[k]; !strings.Contains(p, "{0}") || !strings.Contains(p, "{1}") {
			return nil, bad("list pattern %q is %q", k, p)
		}
	}
	if len(d.Quotes) != 2 || d.MinGrouping < 1 {
		return nil, bad("quotes %q, min_grouping %d", d.Quotes, d.MinGrouping)
	}
	for _, p := range []string{d.DateTime, d.Alongside} {
		if !strings.Contains(p, "{0}") || !strings.Contains(p, "{1}") {
			return nil, bad("combining pattern %q", p)
		}
	}
	if d.Library != "" {
		newTr, ok := libraries[d.Library]
		if !ok {
			return nil, bad("unknown go-playground/locales package %q", d.Library)
		}
		d.tr = newTr()
	} else if d.Gregorian == nil || d.Gregorian.Time == "" {
		return nil, bad("no library and no Gregorian data")
	}
	switch d.Calendar {
	case "gregorian":
	case "persian":
		if d.Persian == nil {
			return nil, bad("persian calendar without its data")
		}
	default:
		return nil, bad("unknown calendar %q", d.Calendar)
	}
	for _, c := range []*calendarData{d.Gregorian, d.Persian} {
		if c != nil && (len(c.Months) != 12 || c.Date == "") {
			return nil, bad("a calendar needs 12 months and a date pattern")
		}
	}
	return &d, nil
}
