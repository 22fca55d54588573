package kolokol

import "time"

// Autosave is the story editor's working copy: what an account has typed
// into a story and not saved, kept by the editor's script every few seconds
// so that a closed tab or a crash loses at most those seconds. It is not a
// revision: the history records saves, never keystrokes, and a working copy
// replaces the previous one. ArticleID is 0 for a story not yet created (one
// per account and service).
type Autosave struct {
	UserID    int64
	ArticleID int64
	Service   string
	// Version is the story version the copy was started from, so that
	// restoring it and saving meets the same conflict check as any edit.
	Version int
	// Fields are the form's values by name (headline, summary, body, ...).
	Fields  map[string]string
	SavedAt time.Time
}

// MaxAutosaveBytes bounds a working copy: a story at its largest.
const MaxAutosaveBytes = 512 << 10

// Validate checks a working copy before it is stored.
func (a *Autosave) Validate() error {
	if a.UserID <= 0 {
		return FieldErrorf(EINVALID, "user_id", "a working copy belongs to an account")
	}
	if a.ArticleID < 0 || a.Version < 0 {
		return FieldErrorf(EINVALID, "article_id", "a working copy is of a story or a new one")
	}
	if !ValidServiceCode(a.Service) {
		return FieldErrorf(EINVALID, "service", "invalid service code %q", a.Service)
	}
	size := 0
	for k, v := range a.Fields {
		size += len(k) + len(v)
		if err := checkText(k, v, MaxBody); err != nil {
			return err
		}
	}
	if size > MaxAutosaveBytes || len(a.Fields) > 40 {
		return Errorf(ETOOLARGE, "a working copy is at most %d KiB", MaxAutosaveBytes>>10)
	}
	return nil
}
