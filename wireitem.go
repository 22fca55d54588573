package kolokol

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// WireStatus is where an item of agency copy is in a service's wire queue.
type WireStatus string

const (
	WireNew       WireStatus = "new"       // waiting for an editor
	WireUsed      WireStatus = "used"      // opened as a story (ArticleID)
	WireDismissed WireStatus = "dismissed" // set aside; a new version brings it back
)

// WireItem is one item of agency copy in a service's wire queue: a text
// story or a picture, in the newsroom's own shape whatever format it came
// in (package wire reads them). The same provider and GUID arriving again
// is the same item, updated to its newer version.
type WireItem struct {
	ID       int64
	Service  string
	Provider string
	GUID     string
	Version  string
	Type     string // "text" or "picture"
	Language string
	Headline string
	Summary  string
	Body     string // Markdown
	Bylines  []string
	Dateline string
	Subjects []string
	// Urgency is 1 (most urgent) to 9, 0 unknown.
	Urgency int
	// Embargo: the item, and a story made from it, may not be published
	// before this time; zero for none.
	Embargo time.Time
	Sent    time.Time // when the agency made this version
	Source  string    // the item's address at the agency
	// MediaID is the picture the item is or leads with, when its file
	// came with it and went through the media pipeline.
	MediaID int64
	// MediaCaption, MediaCredit and MediaAlt are what the item says of
	// its picture: suggestions for the story's lead photo.
	MediaCaption, MediaCredit, MediaAlt string
	Status                              WireStatus
	// ArticleID is the story opened from the item; UsedVersion, UsedHeadline
	// and UsedBody what it was opened from, so that a newer version can be
	// shown as a difference.
	ArticleID    int64
	UsedVersion  string
	UsedHeadline string
	UsedBody     string
	ReceivedAt   time.Time
	UpdatedAt    time.Time
}

// UpdateAvailable reports whether the agency sent a newer version since
// the item was opened as a story.
func (w *WireItem) UpdateAvailable() bool {
	return w.ArticleID != 0 && w.UsedVersion != "" && w.Version != w.UsedVersion
}

// Embargoed reports whether the item may not be published at now.
func (w *WireItem) Embargoed(now time.Time) bool { return !w.Embargo.IsZero() && now.Before(w.Embargo) }

// Validate checks an item before it is stored.
func (w *WireItem) Validate() error {
	switch {
	case !ValidServiceCode(w.Service):
		return FieldErrorf(EINVALID, "service", "invalid service code %q", w.Service)
	case strings.TrimSpace(w.Provider) == "":
		return FieldErrorf(EINVALID, "provider", "a wire item names its provider")
	case strings.TrimSpace(w.GUID) == "":
		return FieldErrorf(EINVALID, "guid", "a wire item has an identifier")
	case w.Type != "text" && w.Type != "picture":
		return FieldErrorf(EINVALID, "type", "a wire item is a text or a picture, not %q", w.Type)
	case w.Type == "text" && strings.TrimSpace(w.Headline) == "":
		return FieldErrorf(EINVALID, "headline", "a text item has a headline")
	case w.Urgency < 0 || w.Urgency > 9:
		return FieldErrorf(EINVALID, "urgency", "urgency is 1 to 9 (0 for none), not %d", w.Urgency)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"provider", w.Provider, 200}, {"guid", w.GUID, 1000}, {"version", w.Version, 100},
		{"language", w.Language, 50}, {"dateline", w.Dateline, 200}, {"source", w.Source, 2000},
		{"media_credit", w.MediaCredit, 500}} {
		if err := checkLine(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if err := checkText("headline", w.Headline, 1000); err != nil {
		return err
	}
	if err := checkText("summary", w.Summary, 10000); err != nil {
		return err
	}
	if err := checkText("body", w.Body, 1<<20); err != nil {
		return err
	}
	if err := checkText("media_caption", w.MediaCaption, 2000); err != nil {
		return err
	}
	if err := checkText("media_alt", w.MediaAlt, 2000); err != nil {
		return err
	}
	for _, l := range [][]string{w.Bylines, w.Subjects} {
		if len(l) > 100 {
			return FieldErrorf(EINVALID, "subjects", "at most 100 bylines or subjects")
		}
		for _, s := range l {
			if err := checkLine("subjects", s, 200); err != nil {
				return err
			}
		}
	}
	return nil
}

// NewerVersion reports whether version v (sent at t) is newer than the
// stored version old (sent at oldT). Agencies number versions (ninjs
// strings, NewsML-G2 integers): numbers compare as numbers; otherwise a
// different version sent later is newer.
func NewerVersion(v string, t time.Time, old string, oldT time.Time) bool {
	a, errA := strconv.ParseInt(v, 10, 64)
	b, errB := strconv.ParseInt(old, 10, 64)
	if errA == nil && errB == nil {
		return a > b
	}
	return v != old && t.After(oldT)
}

// WireFilter selects a service's wire queue.
type WireFilter struct {
	Service  string
	Status   WireStatus // "" for new and used, not dismissed
	Provider string
	Language string
	// MaxUrgency keeps items at least this urgent (1 to 9; 0 for all).
	MaxUrgency int
	Since      time.Time // received at or after
	Limit      int
	Before     int64 // ids below, for paging
}

// Wire is the wire queue's store.
type Wire interface {
	// SaveWireItem stores an item: a new one (ID and ReceivedAt set), or,
	// when the service already has the provider's GUID, its newer version
	// in its place (the ID kept). An older or equal version than stored
	// changes nothing, and says so with changed false. A newer version of
	// a dismissed item brings it back as new.
	SaveWireItem(ctx context.Context, w *WireItem) (changed bool, err error)
	FindWireItem(ctx context.Context, id int64) (*WireItem, error)
	FindWireItems(ctx context.Context, f WireFilter) ([]*WireItem, error)
	// FindWireItemByArticle returns the item a story was opened from.
	FindWireItemByArticle(ctx context.Context, articleID int64) (*WireItem, error)
	// SetWireStatus dismisses an item, or records the story opened from it
	// (status used, article id, and the version, headline and body used).
	SetWireStatus(ctx context.Context, w *WireItem) error
}
