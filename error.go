// Package kolokol holds the domain of the Kolokol publishing platform: language
// services, sections, articles, breaking news, media and API tokens, their
// validation, and the interfaces (Store, BlobStore) that adapters implement.
// It imports nothing but the standard library.
package kolokol

import (
	"errors"
	"fmt"
)

// Error codes. They are few on purpose: each maps to one HTTP status in one place.
const (
	EMALFORMED    = "malformed" // the request could not be read: bad JSON, not UTF-8
	EINVALID      = "invalid"   // the request was read but a value is unacceptable
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "too_large"
	ETHROTTLED    = "throttled"   // too many attempts, or too busy: try again later
	EUNAVAILABLE  = "unavailable" // a part the server needs (its database) is not answering: try again shortly
	EINTERNAL     = "internal"
)

// unavailableMessage is what a user sees while the database is away.
const unavailableMessage = "The database is not answering. Nothing was saved; try again in a moment."

// unavailable is an error of a part the server needs that is not
// answering; it keeps the cause for the log.
type unavailable struct{ err error }

func (e *unavailable) Error() string { return "unavailable: " + e.err.Error() }
func (e *unavailable) Unwrap() error { return e.err }

// Unavailable marks err as the database (or another part the server
// needs) not answering: the request may succeed if tried again, and its
// code is EUNAVAILABLE. A store marks its connection failures so.
func Unavailable(err error) error {
	if err == nil {
		return nil
	}
	var u *unavailable
	if errors.As(err, &u) {
		return err
	}
	return &unavailable{err: err}
}

// Error is an error a user may see: Message is safe to show, Field names the
// input at fault when there is one.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error that names the field at fault.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	var u *unavailable
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	} else if errors.As(err, &u) {
		return EUNAVAILABLE
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err; internal errors get a
// generic message so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	var u *unavailable
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	} else if errors.As(err, &u) {
		return unavailableMessage
	}
	return "internal error"
}

// ErrorField returns the field named by err, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// IsNotFound reports whether err carries ENOTFOUND.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }
