package kolokol

import (
	"context"
	"time"
)

// Store keeps the newsroom's data. It is made of small role interfaces, so
// that each part of the program names what it uses (render reads Pages, the
// desk writes through Store). Every method is atomic: it either applies
// whole or returns an error and changes nothing, and every method that
// changes what readers see appends its Change to the change log in the same
// transaction. Lookups of something absent return an *Error with
// ENOTFOUND, never a nil value.
type Store interface {
	Services
	Articles
	Banners
	MediaStore
	Tokens
	Accounts
	Audit
	Drafts
	Safety
	Changes
	Mirrors
	Bundles
	Wire
	Leases
	Throttles
	Ceremonies
	EditLocks
	Finding
	Notifications
	Subscribers

	// InTx runs fn with a Store whose methods all work in one transaction,
	// committed when fn returns nil and rolled back otherwise; each method
	// is still atomic within it. For operations of several steps that must
	// happen together or not at all. Inside fn, tx.InTx runs in the same
	// transaction, and tx.Close is refused.
	InTx(ctx context.Context, fn func(tx Store) error) error

	Close() error
}

// Pages is what rendering reader pages reads: the services, their stories,
// banners, pictures and notices, and the mirrors. Nothing in it writes.
type Pages interface {
	FindServiceByCode(ctx context.Context, code string) (*Service, error)
	FindServices(ctx context.Context) ([]*Service, error)
	FindSections(ctx context.Context, service string) ([]*Section, error)
	FindArticleByID(ctx context.Context, id int64) (*Article, error)
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, error)
	CountArticles(ctx context.Context, f ArticleFilter) (int, error)
	FindTags(ctx context.Context, service string) ([]TagCount, error)
	FindBreaking(ctx context.Context, service string) (*Breaking, error)
	FindMediaByID(ctx context.Context, id int64) (*Media, error)
	// FindShownMedia lists, by id, the media the published stories of a
	// service show, as lead image or in a block of the body: the picture
	// files its pages need.
	FindShownMedia(ctx context.Context, service string) ([]int64, error)
	FindNotices(ctx context.Context, service string) ([]*Notice, error)
	FindSetting(ctx context.Context, key string) (string, error)
	// FindMirrors is every mirror, by id (see Mirrors): pages list the
	// live ones' names and public addresses, and nothing else of them.
	FindMirrors(ctx context.Context) ([]*Mirror, error)
	FindBundles(ctx context.Context, service string) ([]*Bundle, error)
}

// Services keeps the language services and their sections.
type Services interface {
	CreateService(ctx context.Context, s *Service) error
	UpdateService(ctx context.Context, s *Service) error
	FindServiceByCode(ctx context.Context, code string) (*Service, error)
	FindServices(ctx context.Context) ([]*Service, error) // ordered by code

	CreateSection(ctx context.Context, s *Section) error                  // sets ID
	FindSections(ctx context.Context, service string) ([]*Section, error) // ordered by position, slug
	FindSection(ctx context.Context, service, slug string) (*Section, error)
}

// Articles keeps stories, their corrections and their revisions.
type Articles interface {
	// CreateArticle stores a new article, setting ID, CreatedAt, UpdatedAt
	// and Version (1). Corrections are not created through it.
	CreateArticle(ctx context.Context, a *Article) error
	// FindArticleByID returns the article with its corrections, oldest first.
	FindArticleByID(ctx context.Context, id int64) (*Article, error)
	// FindArticles returns articles without their corrections. A filter
	// by ShowsMediaID finds the stories whose pages show a media.
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, error)
	CountArticles(ctx context.Context, f ArticleFilter) (int, error)
	// FindShownMedia: see Pages.
	FindShownMedia(ctx context.Context, service string) ([]int64, error)
	// FindTags lists the tags the service's published stories carry, by
	// key (TagKey), in key order, each with how many of them carry it: a
	// tag whose last live story went is no longer listed.
	FindTags(ctx context.Context, service string) ([]TagCount, error)
	// UpdateArticle writes every field of a (but ID, CreatedAt and
	// Corrections) if the stored version equals a.Version; it then sets
	// a.Version to the new version and a.UpdatedAt. A stale version gives
	// ECONFLICT; an unknown id ENOTFOUND.
	UpdateArticle(ctx context.Context, a *Article) error
	// AddCorrection appends a correction to an article, setting c.ID and
	// c.CreatedAt, and bumps the article's version and UpdatedAt.
	AddCorrection(ctx context.Context, c *Correction) error

	// Bulk import, for the corpus generator and for stories brought over
	// from another system. ImportArticles stores new articles in one
	// transaction per call, each exactly as CreateArticle stores it (the
	// same checks, slug and derived columns, and a first revision, by
	// EditedBy, of the state given), followed by its Corrections, oldest
	// first, each counted in the version as AddCorrection counts it. Times
	// are kept as given, so that an import can be repeated byte for byte:
	// a zero CreatedAt is the store's time, a zero UpdatedAt is CreatedAt,
	// and a zero correction time is the store's. It sets each article's
	// ID (ascending in the order given), Version, CreatedAt and UpdatedAt,
	// and each correction's ID and ArticleID. One article or correction
	// that CreateArticle or AddCorrection would refuse, an article whose ID
	// is already set, or an UpdatedAt before its CreatedAt refuses the
	// whole batch (EINVALID naming the field, the message naming the
	// article's place in the batch): nothing is stored and the caller's
	// values are left as they were. Each story appends its change to the
	// change log, as CreateArticle does.
	ImportArticles(ctx context.Context, articles []*Article) error

	// FindRevisions returns an article's revisions, newest first;
	// FindRevision one of them. CreateArticle and UpdateArticle record a
	// revision of the state they store, in the same transaction.
	FindRevisions(ctx context.Context, articleID int64) ([]*Revision, error)
	FindRevision(ctx context.Context, articleID, id int64) (*Revision, error)

	// SetTranslationGroup puts the articles ids in translation group
	// group, or with "" takes them out of theirs, changing nothing else:
	// not their versions, revisions or UpdatedAt, since the group is not
	// part of what an editor types (see desk.Link). For each live one it
	// appends the change of its language switchers, old group's and new.
	// A group that would then hold two versions in one service is refused
	// with ECONFLICT naming both; an unknown id gives ENOTFOUND, a bad
	// group EINVALID; either way nothing changes.
	SetTranslationGroup(ctx context.Context, group string, ids ...int64) error
}

// Banners keeps each service's breaking-news banner.
type Banners interface {
	// SetBreaking replaces the service's banner.
	SetBreaking(ctx context.Context, b *Breaking) error
	ClearBreaking(ctx context.Context, service string) error
	// FindBreaking returns the service's banner, expired or not; ENOTFOUND
	// when none is set.
	FindBreaking(ctx context.Context, service string) (*Breaking, error)
}

// MediaStore keeps pictures: their masters' and renditions' descriptions
// (the files are in a BlobStore) and the services they belong to.
type MediaStore interface {
	// CreateMedia stores a media row, its renditions and the services that
	// uploaded it (m.Services) in one transaction, setting ID and
	// CreatedAt. A known hash is the same master: m.Services are added to
	// its services, and m is filled with the existing row, its focal
	// point, renditions and services; nothing else is written. An invalid
	// focal point, rendition or service code (see Media.Validate), or a
	// service that does not exist, is refused with EINVALID.
	CreateMedia(ctx context.Context, m *Media) error
	// FindMediaByID returns the media with its renditions and services.
	FindMediaByID(ctx context.Context, id int64) (*Media, error)
	// UpdateMediaFocal sets a media's focal point and replaces all of its
	// renditions with r, atomically: a reader of the media sees the old
	// point and renditions or the new ones, never a mix. A focal point
	// outside [0, 1] or an invalid rendition gives EINVALID, an unknown id
	// ENOTFOUND; either way nothing changes.
	UpdateMediaFocal(ctx context.Context, id int64, fx, fy float64, r []Rendition) error
	// FindMedia returns a page of the media a service may see (those it
	// uploaded or was given, and those its stories show), newest
	// first, with their renditions and services, and how many match in
	// all. A limit of 0 is 50, more than 500 is 500.
	FindMedia(ctx context.Context, f MediaFilter) ([]*Media, int, error)
	// UpdateMediaText sets a media's library alt text, caption and credit
	// (see Media.ValidateText; EINVALID for a bad one), ENOTFOUND for an
	// unknown id.
	UpdateMediaText(ctx context.Context, id int64, alt, caption, credit string) error
	// ShareMedia adds service to the services a media belongs to, so its
	// stories may show it (a translation shows its source's pictures).
	// Sharing twice is not an error. An unknown media gives ENOTFOUND, an
	// unknown service EINVALID naming "service".
	ShareMedia(ctx context.Context, mediaID int64, service string) error
}

// Tokens keeps the Admin API's tokens.
type Tokens interface {
	// CreateToken sets ID and CreatedAt. FindTokenByHash and FindTokenByID
	// return ENOTFOUND for an unknown token, FindTokens all of them, newest
	// first. RevokeToken sets RevokedAt to at; a revoked token keeps its
	// first RevokedAt (ENOTFOUND for an unknown id). RecordTokenUse sets
	// LastUsed to the day of at (see Day) when that is later than the
	// stored day, and writes nothing otherwise, so that it may be called
	// on every request.
	CreateToken(ctx context.Context, t *Token) error
	FindTokenByHash(ctx context.Context, hash string) (*Token, error)
	FindTokenByID(ctx context.Context, id int64) (*Token, error)
	FindTokens(ctx context.Context) ([]*Token, error)
	RevokeToken(ctx context.Context, id int64, at time.Time) error
	RecordTokenUse(ctx context.Context, id int64, at time.Time) error
}

// Audit keeps the audit log.
type Audit interface {
	// AddAudit sets ID (and Time when zero); FindAudit returns entries
	// newest first (by id), DefaultAuditLimit of them when f.Limit is not
	// set and never more than MaxAuditLimit. The entry is found by every
	// service in Services (Service is added to them). PruneAudit deletes
	// all but the newest keep entries and says how many it deleted.
	AddAudit(ctx context.Context, e *AuditEntry) error
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
	PruneAudit(ctx context.Context, keep int) (int64, error)
}

// Drafts keeps the story editor's working copies (see Autosave).
type Drafts interface {
	// PutAutosave replaces the account's copy of that story (or of a new
	// story of that service), FindAutosave returns it (ENOTFOUND when
	// there is none), DeleteAutosave removes it (none is not an error).
	PutAutosave(ctx context.Context, a *Autosave) error
	FindAutosave(ctx context.Context, userID, articleID int64, service string) (*Autosave, error)
	DeleteAutosave(ctx context.Context, userID, articleID int64, service string) error
}

// Safety keeps the safety notices and the site-wide settings.
type Safety interface {
	// CreateNotice sets ID, CreatedAt and UpdatedAt (a service has at most
	// MaxNotices: ECONFLICT, also for concurrent writers); UpdateNotice
	// writes Text, Link, Countries, Default and Mirrors; FindNotices
	// returns a service's, oldest first; FindNotice and DeleteNotice
	// return ENOTFOUND for an unknown id.
	CreateNotice(ctx context.Context, n *Notice) error
	UpdateNotice(ctx context.Context, n *Notice) error
	FindNotice(ctx context.Context, id int64) (*Notice, error)
	FindNotices(ctx context.Context, service string) ([]*Notice, error)
	DeleteNotice(ctx context.Context, id int64) error

	// Site-wide settings by name (SettingSecurityTxt). FindSetting returns
	// ENOTFOUND for one never set; SetSetting with "" removes it.
	FindSetting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// SettingSecurityTxt is the name of /.well-known/security.txt's text.
const SettingSecurityTxt = "security.txt"
