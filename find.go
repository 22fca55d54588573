package kolokol

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SavedSearch is a set of dashboard filters an editor keeps under a name
// ("my drafts", "scheduled today"). Query is the filters as a URL query,
// only the dashboard's own parameters, relative dates kept relative.
type SavedSearch struct {
	ID        int64
	UserID    int64
	Name      string
	Query     string
	CreatedAt time.Time
}

// MaxSavedSearches is how many searches one account may keep.
const MaxSavedSearches = 50

// Finding is what the dashboard keeps per account: saved searches and
// the desk it opens on.
type Finding interface {
	// AddSavedSearch stores a search and sets ID and CreatedAt; a name the
	// account already uses is ECONFLICT, and an account with
	// MaxSavedSearches already EINVALID.
	AddSavedSearch(ctx context.Context, s *SavedSearch) error
	// FindSavedSearches is an account's searches by name.
	FindSavedSearches(ctx context.Context, userID int64) ([]*SavedSearch, error)
	// DeleteSavedSearch removes one of an account's searches; another
	// account's, or none, is ENOTFOUND.
	DeleteSavedSearch(ctx context.Context, userID, id int64) error
	// FindHomeDesk is the service an account's dashboard opens on; ""
	// when none was chosen. An unknown account is ENOTFOUND.
	FindHomeDesk(ctx context.Context, userID int64) (string, error)
	// SetHomeDesk sets it ("" forgets it). An unknown account is
	// ENOTFOUND; whether the account may work on the service is the
	// desk's rule.
	SetHomeDesk(ctx context.Context, userID int64, service string) error
}

// Limits of a saved search.
const (
	MaxSavedSearchName  = 80   // characters
	MaxSavedSearchQuery = 1000 // bytes
)

// Validate checks what a store keeps: a name of 1 to MaxSavedSearchName
// characters without control characters, and a query of at most
// MaxSavedSearchQuery bytes. Which filters a query may hold is the
// desk's rule.
func (s *SavedSearch) Validate() error {
	if s.UserID <= 0 {
		return FieldErrorf(EINVALID, "user_id", "a saved search belongs to an account")
	}
	name := []rune(s.Name)
	switch {
	case strings.TrimSpace(s.Name) == "":
		return FieldErrorf(EINVALID, "name", "give the search a name")
	case len(name) > MaxSavedSearchName:
		return FieldErrorf(EINVALID, "name", "a search's name is at most %d characters; this one has %d", MaxSavedSearchName, len(name))
	case !utf8.ValidString(s.Name) || strings.IndexFunc(s.Name, unicode.IsControl) >= 0:
		return FieldErrorf(EINVALID, "name", "a search's name is text on one line")
	case len(s.Query) > MaxSavedSearchQuery:
		return FieldErrorf(EINVALID, "query", "the search's filters are %d bytes, at most %d", len(s.Query), MaxSavedSearchQuery)
	case !utf8.ValidString(s.Query):
		return FieldErrorf(EINVALID, "query", "the search's filters are not text")
	}
	return nil
}
