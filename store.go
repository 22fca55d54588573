package kolokol

import (
	"context"
	"time"
)

// Store keeps the newsroom's data. Every method is atomic: it either applies
// whole or returns an error and changes nothing. Lookups of something absent
// return an *Error with ENOTFOUND, never a nil value.
type Store interface {
	CreateService(ctx context.Context, s *Service) error
	UpdateService(ctx context.Context, s *Service) error
	FindServiceByCode(ctx context.Context, code string) (*Service, error)
	FindServices(ctx context.Context) ([]*Service, error) // ordered by code

	CreateSection(ctx context.Context, s *Section) error                  // sets ID
	FindSections(ctx context.Context, service string) ([]*Section, error) // ordered by position, slug
	FindSection(ctx context.Context, service, slug string) (*Section, error)

	// CreateArticle stores a new article, setting ID, CreatedAt, UpdatedAt
	// and Version (1). Corrections are not created through it.
	CreateArticle(ctx context.Context, a *Article) error
	// FindArticleByID returns the article with its corrections, oldest first.
	FindArticleByID(ctx context.Context, id int64) (*Article, error)
	// FindArticles returns articles without their corrections. A filter
	// by LeadMediaID finds the stories whose pages show a media.
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, error)
	CountArticles(ctx context.Context, f ArticleFilter) (int, error)
	// UpdateArticle writes every field of a (but ID, CreatedAt and
	// Corrections) if the stored version equals a.Version; it then sets
	// a.Version to the new version and a.UpdatedAt. A stale version gives
	// ECONFLICT; an unknown id ENOTFOUND.
	UpdateArticle(ctx context.Context, a *Article) error
	// AddCorrection appends a correction to an article, setting c.ID and
	// c.CreatedAt, and bumps the article's version and UpdatedAt.
	AddCorrection(ctx context.Context, c *Correction) error

	// SetBreaking replaces the service's banner.
	SetBreaking(ctx context.Context, b *Breaking) error
	ClearBreaking(ctx context.Context, service string) error
	// FindBreaking returns the service's banner, expired or not; ENOTFOUND
	// when none is set.
	FindBreaking(ctx context.Context, service string) (*Breaking, error)

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

	// API tokens. CreateToken sets ID and CreatedAt. FindTokenByHash and
	// FindTokenByID return ENOTFOUND for an unknown token, FindTokens all
	// of them, newest first. RevokeToken sets RevokedAt to at; a revoked
	// token keeps its first RevokedAt (ENOTFOUND for an unknown id).
	// RecordTokenUse sets LastUsed to the day of at (see Day) when that is
	// later than the stored day, and writes nothing otherwise, so that it
	// may be called on every request.
	CreateToken(ctx context.Context, t *Token) error
	FindTokenByHash(ctx context.Context, hash string) (*Token, error)
	FindTokenByID(ctx context.Context, id int64) (*Token, error)
	FindTokens(ctx context.Context) ([]*Token, error)
	RevokeToken(ctx context.Context, id int64, at time.Time) error
	RecordTokenUse(ctx context.Context, id int64, at time.Time) error

	// Newsroom accounts. CreateUser sets ID, CreatedAt, UpdatedAt and
	// Version (1). UpdateUser writes every field but ID and CreatedAt if
	// the stored version equals u.Version (ECONFLICT if not, ENOTFOUND for
	// an unknown id), then bumps u.Version and sets u.UpdatedAt. A taken
	// email is ECONFLICT with Field "email". FindUserByEmail trims and
	// lowercases its argument. Disabling an account does not end its
	// sessions: call DeleteUserSessions too.
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	FindUsers(ctx context.Context) ([]*User, error) // ordered by email

	// Sessions, by the SHA-256 of their cookie. CreateSession sets
	// CreatedAt when zero and LastSeenAt (to CreatedAt) when zero; an
	// unknown user is EINVALID (Field "user_id"), a known id ECONFLICT. The
	// store never checks expiry or idleness: the caller does, from
	// ExpiresAt and LastSeenAt. TouchSession sets LastSeenAt (ENOTFOUND for
	// an unknown id). Deleting sessions that do not exist is not an error;
	// DeleteUserSessions signs a user out everywhere.
	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, id string) (*Session, error)
	TouchSession(ctx context.Context, id string, seen time.Time) error
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID int64) error

	// FindRevisions returns an article's revisions, newest first;
	// FindRevision one of them. CreateArticle and UpdateArticle record a
	// revision of the state they store, in the same transaction.
	FindRevisions(ctx context.Context, articleID int64) ([]*Revision, error)
	FindRevision(ctx context.Context, articleID, id int64) (*Revision, error)

	// Enrolment links, by the SHA-256 of their token. A link expires at
	// ExpiresAt: it is usable while now is before it. FindEnrolment
	// returns ENOTFOUND for unknown and expired links alike and spends
	// nothing; DeleteEnrolment spends one (none is not an error). See also
	// ConsumeEnrolment.
	CreateEnrolment(ctx context.Context, e *Enrolment) error
	FindEnrolment(ctx context.Context, tokenHash string, now time.Time) (*Enrolment, error)
	DeleteEnrolment(ctx context.Context, tokenHash string) error

	// The audit log: AddAudit sets ID (and Time when zero); FindAudit
	// returns entries newest first (by id), DefaultAuditLimit of them when
	// f.Limit is not set and never more than MaxAuditLimit.
	AddAudit(ctx context.Context, e *AuditEntry) error
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)

	Close() error

	// ---- Newsroom accounts, continued ----

	// ConsumeEnrolment spends a link in one step: if it exists and has not
	// expired at now, it is deleted and returned; otherwise ENOTFOUND and
	// nothing changes (an expired link stays until it is deleted). Of two
	// concurrent calls for one link, exactly one gets it.
	ConsumeEnrolment(ctx context.Context, tokenHash string, now time.Time) (*Enrolment, error)

	// Passkeys. CreatePasskey sets CreatedAt; a credential id is stored
	// once (ECONFLICT), and an account has at most MaxPasskeys (ECONFLICT).
	// FindPasskeys returns an account's, oldest first. UpdatePasskey writes
	// Credential and LastUsedAt. DeletePasskey removes one of an account's
	// (ENOTFOUND when it has no such passkey).
	CreatePasskey(ctx context.Context, p *Passkey) error
	FindPasskeys(ctx context.Context, userID int64) ([]*Passkey, error)
	UpdatePasskey(ctx context.Context, p *Passkey) error
	DeletePasskey(ctx context.Context, userID int64, id string) error

	// Safety notices. CreateNotice sets ID, CreatedAt and UpdatedAt (a
	// service has at most MaxNotices: ECONFLICT); UpdateNotice writes
	// Text, Link, Countries, Default and Mirrors; FindNotices returns a
	// service's, oldest first; FindNotice and DeleteNotice return ENOTFOUND
	// for an unknown id.
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

// ChangeKind names what happened in a Change.
type ChangeKind string

const (
	ChangeArticle  ChangeKind = "article"  // created, edited, published, unpublished or corrected
	ChangeBreaking ChangeKind = "breaking" // set or cleared
	ChangeService  ChangeKind = "service"  // settings, sections
	ChangeNotice   ChangeKind = "notice"   // a safety notice added, changed or removed
	ChangeSettings ChangeKind = "settings" // a site-wide setting
)

// Change tells listeners (page cache, later search and export) what a
// newsroom operation changed, so they can recompute exactly what depends on it.
type Change struct {
	Kind      ChangeKind
	Service   string
	ArticleID int64
	// Listed is true when the change can alter lists of stories: the article
	// is or was live.
	Listed bool
	// Groups are the translation groups the article is or was in: their
	// other versions list it in their language switchers.
	Groups []string
}
