package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/httperr"
)

func decodeBytes(body []byte, v any) error {
	r := httptest.NewRequest("POST", "/api/v1/articles", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return decode(httptest.NewRecorder(), r, v)
}

func TestDecode(t *testing.T) {
	tests := []struct {
		body, code, field string
	}{
		{`{"service":"en","headline":"x"}`, "", ""},
		{`{"service":"en","headline":"x","bylines":["a","b"]}`, "", ""},
		{`{"service":"en",`, kolokol.EMALFORMED, ""},
		{`{"service":"en","headline":7}`, kolokol.EMALFORMED, "headline"},
		{`{"bylines":"not a list"}`, kolokol.EMALFORMED, "bylines"},
		{`{"lead_image":{"media_id":"1"}}`, kolokol.EMALFORMED, "lead_image.media_id"},
		{`{"nope":1}`, kolokol.EMALFORMED, "nope"},
		{`{} {}`, kolokol.EMALFORMED, ""},
		{``, kolokol.EMALFORMED, ""},
		{"{\"headline\":\"\xc3\x28\"}", kolokol.EMALFORMED, ""},
		// encoding/json would store each lone surrogate as U+FFFD.
		{`{"service":"en","headline":"\ud800"}`, kolokol.EMALFORMED, ""},
		{`{"service":"en","headline":"x","bylines":["\udc00"]}`, kolokol.EMALFORMED, ""},
		{`{"service":"en","headline":"\ud83d\ude00 \\ud800"}`, "", ""},
		{`{"headline":"` + strings.Repeat("x", MaxJSONBody) + `"}`, kolokol.ETOOLARGE, ""},
	}
	for _, tt := range tests {
		var req createArticleRequest
		err := decodeBytes([]byte(tt.body), &req)
		if kolokol.ErrorCode(err) != tt.code || kolokol.ErrorField(err) != tt.field {
			t.Errorf("%.40q: got %v (field %q), want %q %q", tt.body, err, kolokol.ErrorField(err), tt.code, tt.field)
		}
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "text/plain")
	if err := decode(httptest.NewRecorder(), r, &createArticleRequest{}); kolokol.ErrorCode(err) != kolokol.EMALFORMED {
		t.Errorf("text/plain accepted: %v", err)
	}
}

// FuzzDecode feeds arbitrary bytes to the request decoder: it must never
// panic, must refuse everything that is not UTF-8, and anything it accepts
// must be a request whose strings are valid UTF-8, with no character
// replaced by U+FFFD.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"service":"en","headline":"x","body":"y"}`, `{"lead_image":{"media_id":1,"alt":"a"}}`, `{"tags":["a",null]}`, `[]`, `"x"`, `{"headline":"\ud800"}`, "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req createArticleRequest
		err := decodeBytes(body, &req)
		if err == nil {
			if !utf8.Valid(body) {
				t.Fatal("accepted a body that is not UTF-8")
			}
			// A U+FFFD the body did not spell (as a character or an
			// escape) is one the decoder put in place of what was sent.
			spelled := bytes.Contains(body, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(body), []byte("fffd"))
			for _, s := range append([]string{req.Service, req.Headline, req.Body, req.Summary}, req.Bylines...) {
				if !utf8.ValidString(s) {
					t.Fatalf("decoded invalid UTF-8 %q", s)
				}
				if !spelled && strings.ContainsRune(s, utf8.RuneError) {
					t.Fatalf("decoded %q from %q: a character was replaced", s, body)
				}
			}
			return
		}
		if c := kolokol.ErrorCode(err); c != kolokol.EMALFORMED && c != kolokol.ETOOLARGE {
			t.Fatalf("decode error with code %q: %v", c, err)
		}
		if httperr.Status(kolokol.ErrorCode(err)) >= http.StatusInternalServerError {
			t.Fatal("bad input mapped to a server error")
		}
	})
}
