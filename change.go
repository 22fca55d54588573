package kolokol

import (
	"context"
	"time"
)

// ChangeKind names what happened in a Change.
type ChangeKind string

const (
	ChangeArticle  ChangeKind = "article"  // created, edited, published, unpublished or corrected
	ChangeBreaking ChangeKind = "breaking" // set or cleared
	ChangeService  ChangeKind = "service"  // created, settings, sections
	ChangeNotice   ChangeKind = "notice"   // a safety notice added, changed or removed
	ChangeSettings ChangeKind = "settings" // a site-wide setting
	ChangeMedia    ChangeKind = "media"    // a picture's crops (focal point)
	ChangeMirrors  ChangeKind = "mirrors"  // a mirror added, edited or retired (the mirrors readers are shown)
	ChangeBundles  ChangeKind = "bundles"  // an offline edition of a service published or withdrawn
)

// Change is one entry of the change log: what a newsroom operation changed,
// recorded in the transaction that made the change, so that the page cache,
// and later export, feeds, search and other servers, can recompute exactly
// what depends on it, each reading forward from its own cursor. It names
// what changed, never who read anything.
type Change struct {
	Seq       int64 // the log's order: strictly increasing
	Time      time.Time
	Kind      ChangeKind
	Service   string
	ArticleID int64
	MediaID   int64
	// Listed is true when the change alters what pages other than the
	// thing's own show of it: for an article, the lists it is or was on
	// (its headline, summary, section or time, while live); for a
	// service, the pages that list services (its name, language or
	// direction).
	Listed bool
	// Groups are the translation groups whose language switchers the
	// change alters: those the article is or was in, when it joined, left,
	// went live or off, or moved to another path.
	Groups []string
	// Latest are the lists of a service's newest stories the change
	// alters, as LatestList names them: those the story is or was among
	// the newest MoreStories+1 of (a story's page lists the newest
	// MoreStories other than itself), when something lists show of it
	// changed.
	Latest []string
	// Tags are the keys (TagKey) of the tags whose lists of live stories
	// (TagList) the change alters: those the story has or had while live,
	// when something those lists show of it changed (as for Listed), or
	// when a tag was added, removed or spelt anew.
	Tags []string
}

// MoreStories is how many of its section's newest stories a story's page
// lists after its body ("more from the section").
const MoreStories = 5

// LatestList names the list of the newest stories of a section of a
// service, or with section "" of the whole service: "fa/world", "fa/".
func LatestList(service, section string) string { return service + "/" + section }

// Changes is the change log and its consumers' cursors.
type Changes interface {
	// FindChanges returns up to limit changes after seq after, oldest
	// first (limit at most MaxChangeBatch; 0 means that).
	FindChanges(ctx context.Context, after int64, limit int) ([]*Change, error)
	// ChangeBounds returns the first and last seq the log still holds
	// (0, 0 when it has none ever; first > last when every change was
	// pruned: a consumer whose cursor is below first-1 missed some).
	ChangeBounds(ctx context.Context) (first, last int64, err error)
	// PruneChanges keeps the newest keep changes and says how many it
	// deleted.
	PruneChanges(ctx context.Context, keep int) (int64, error)
	// FindCursor returns a consumer's stored position (ENOTFOUND when it
	// has none); SetCursor stores it.
	FindCursor(ctx context.Context, consumer string) (int64, error)
	SetCursor(ctx context.Context, consumer string, seq int64) error
}

// Limits of the change log.
const (
	MaxChangeBatch = 1000
	// KeepChanges is how many changes the log keeps: days of a busy
	// newsroom's work. A consumer that falls further behind rebuilds.
	KeepChanges = 100_000
)
