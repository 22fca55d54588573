package kolokol

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckJSONText(t *testing.T) {
	for _, c := range []struct {
		json, err string // err: "" when accepted, else words of the message
	}{
		{`{"headline":"Ferry returns"}`, ""},
		{`{"headline":"\ud83d\ude00"}`, ""},                  // a pair: U+1F600
		{`{"headline":"\uD83D\uDE00 and \uDBFF\uDFFF"}`, ""}, // upper-case hex, the last pair
		{`{"headline":"\u00e9\ud7ff\ue000\uffff"}`, ""},      // around the surrogates
		{`{"headline":"\\ud800"}`, ""},                       // an escaped backslash, then text
		{`{"headline":"\\\\ud800"}`, ""},
		{`{"headline":"\"\ud800"}`, "high surrogate"},
		{`{"headline":"\\\ud800"}`, "high surrogate"},
		{`{"headline":"\ud800"}`, "high surrogate"},
		{`{"headline":"\uD800x"}`, "high surrogate"},
		{`{"headline":"\ud800\u0041"}`, "high surrogate"},
		{`{"headline":"\ud800\ud800\udc00"}`, "high surrogate"},
		{`{"headline":"\ud800\\udc00"}`, "high surrogate"},
		{`{"headline":"\ud800"`, "high surrogate"},
		{`{"headline":"\udc00"}`, "low surrogate"},
		{`{"headline":"\ude00\ud83d"}`, "low surrogate"},
		{`{"\udfff":1}`, "low surrogate"}, // names are strings too
		{`["a", "\ud800"]`, "high surrogate"},
		{"{\"headline\":\"\xed\xa0\x80\"}", "not valid UTF-8"}, // a surrogate in UTF-8
		{"{\"headline\":\"\xff\"}", "not valid UTF-8"},
		// Malformed escapes are the decoder's to report.
		{`{"headline":"\u12"}`, ""},
		{`{"headline":"\ud80`, ""},
		{`{"headline":"\`, ""},
		{`\ud800`, ""}, // outside a string: not an escape at all
	} {
		err := CheckJSONText([]byte(c.json))
		switch {
		case c.err == "" && err != nil:
			t.Errorf("CheckJSONText(%s) = %v, want it accepted", c.json, err)
		case c.err != "" && (ErrorCode(err) != EMALFORMED || !strings.Contains(err.Error(), c.err)):
			t.Errorf("CheckJSONText(%s) = %v, want %s naming %q", c.json, err, EMALFORMED, c.err)
		}
	}
}

// FuzzCheckJSONText checks the scanner against encoding/json itself: of
// the JSON texts the decoder takes, CheckJSONText must refuse exactly those
// it would decode with a U+FFFD that the text did not spell. Texts that
// spell one (as a character or as an escape in any case) are only checked
// not to panic.
func FuzzCheckJSONText(f *testing.F) {
	for _, s := range []string{`{"a":"\ud83d\ude00"}`, `{"a":"\ud800"}`, `["\\ud800","\\\udc00"]`, `{"\ud800\u0041":"\"\\"}`,
		`"\uDBFF\uDFFF\uD800"`, "\"\xed\xa0\x80\"", `[1,"\u"]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := CheckJSONText(data)
		if err != nil && ErrorCode(err) != EMALFORMED {
			t.Fatalf("error with code %q: %v", ErrorCode(err), err)
		}
		var v any
		if json.Unmarshal(data, &v) != nil || bytes.Contains(data, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(data), []byte("fffd")) {
			return
		}
		if replaced := hasReplacement(v); replaced != (err != nil) {
			t.Fatalf("%q: the decoder replaced a character: %t; CheckJSONText: %v", data, replaced, err)
		}
	})
}

// hasReplacement reports whether a decoded JSON value holds U+FFFD in any
// string, member names included.
func hasReplacement(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, '\uFFFD')
	case []any:
		for _, e := range v {
			if hasReplacement(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if strings.ContainsRune(k, '\uFFFD') || hasReplacement(e) {
				return true
			}
		}
	}
	return false
}
