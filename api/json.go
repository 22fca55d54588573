package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/httperr"
)

// MaxJSONBody bounds a JSON request: a story at its largest is well below.
const MaxJSONBody = 2 << 20

type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, log *slog.Logger, r *http.Request, err error) {
	code := kolokol.ErrorCode(err)
	switch code {
	case kolokol.EINTERNAL:
		log.Error("api", "method", r.Method, "route", r.Pattern, "err", err)
	case kolokol.EUNAVAILABLE:
		log.Warn("api: the database is not answering", "method", r.Method, "route", r.Pattern, "err", err)
		w.Header().Set("Retry-After", "5")
	case kolokol.EUNAUTHORIZED:
		w.Header().Set("WWW-Authenticate", `Bearer realm="kolokol"`)
	}
	writeJSON(w, httperr.Status(code), errorBody{Error: kolokol.ErrorMessage(err), Field: kolokol.ErrorField(err)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// readBody reads at most limit bytes, refusing more with ETOOLARGE.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, kolokol.Errorf(kolokol.ETOOLARGE, "request body is over the %d-byte limit", limit)
	} else if err != nil {
		return nil, kolokol.Errorf(kolokol.EMALFORMED, "could not read the request body")
	}
	return data, nil
}

// decode reads a JSON object strictly: UTF-8 only, no lone surrogates, no
// unknown fields, one value and nothing after it.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return kolokol.Errorf(kolokol.EMALFORMED, "Content-Type must be application/json, got %q", ct)
	}
	data, err := readBody(w, r, MaxJSONBody)
	if err != nil {
		return err
	}
	// encoding/json would quietly turn invalid UTF-8 and lone surrogate
	// escapes into U+FFFD; a story must be stored as the editor wrote it or
	// not at all.
	if err := kolokol.CheckJSONText(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return kolokol.Errorf(kolokol.EMALFORMED, "request body has data after the JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return kolokol.Errorf(kolokol.EMALFORMED, "request body is empty; send a JSON object")
	case errors.As(err, &syn):
		return kolokol.Errorf(kolokol.EMALFORMED, "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		return kolokol.FieldErrorf(kolokol.EMALFORMED, typ.Field, "%s must be a JSON %s, not %s", typ.Field, typeName(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return kolokol.FieldErrorf(kolokol.EMALFORMED, field, "unknown field %q", field)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return kolokol.Errorf(kolokol.EMALFORMED, "malformed JSON: the body ends early")
	}
	return kolokol.Errorf(kolokol.EMALFORMED, "malformed JSON: %v", err)
}

func typeName(kind string) string {
	switch kind {
	case "slice":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	case "int", "int64", "int32", "uint", "float64":
		return "number"
	}
	return kind
}
