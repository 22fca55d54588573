// Package httperr maps the domain's error codes to HTTP statuses, for the
// Admin API and the newsroom alike. It is the only place that does.
package httperr

import (
	"net/http"

	"github.com/kolokol/kolokol"
)

// Status is the HTTP status of an error code.
func Status(code string) int {
	switch code {
	case kolokol.EMALFORMED:
		return http.StatusBadRequest
	case kolokol.EINVALID:
		return http.StatusUnprocessableEntity
	case kolokol.ENOTFOUND:
		return http.StatusNotFound
	case kolokol.ECONFLICT:
		return http.StatusConflict
	case kolokol.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case kolokol.EFORBIDDEN:
		return http.StatusForbidden
	case kolokol.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case kolokol.ETHROTTLED:
		return http.StatusTooManyRequests
	case kolokol.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
