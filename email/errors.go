package email

import (
	"errors"
	"net/textproto"
	"strings"
)

// permanentError is a failure that retrying cannot mend.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return &permanentError{err} }

// IsPermanent reports whether err is a failure that retrying will not
// mend: a 5xx reply of the relay, a mail Build refuses, or a relay that
// cannot be used as configured. Anything else (a 4xx reply, a network
// failure) may be retried.
func IsPermanent(err error) bool {
	var pe *permanentError
	if errors.As(err, &pe) {
		return true
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return true
	}
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}

// redact rewrites, in place, an SMTP reply in err that repeats the
// recipient's address ("550 5.1.1 <reader@example.org>: unknown"); err
// must not have been wrapped yet.
func redact(err error, to string) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		te.Msg = replaceFold(te.Msg, to, "[recipient]")
	}
	return err
}

// replaceFold replaces every ASCII-case-insensitive occurrence of old
// (ASCII) in s.
func replaceFold(s, old, repl string) string {
	if old == "" {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+len(old) <= len(s) && asciiEqualFold(s[i:i+len(old)], old) {
			b.WriteString(repl)
			i += len(old)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func asciiEqualFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
