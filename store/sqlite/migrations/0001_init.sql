-- Times are INTEGER unix nanoseconds in UTC; NULL means "not set" (the zero
-- time.Time). Lists are JSON arrays of strings, '[]' when empty.

CREATE TABLE services (
	code         TEXT PRIMARY KEY,
	tag          TEXT NOT NULL,
	script       TEXT NOT NULL,
	direction    TEXT NOT NULL CHECK (direction IN ('ltr', 'rtl')),
	name         TEXT NOT NULL,
	english_name TEXT NOT NULL DEFAULT '',
	time_zone    TEXT NOT NULL,
	about        TEXT NOT NULL DEFAULT '',
	legal_status TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE sections (
	id       INTEGER PRIMARY KEY,
	service  TEXT NOT NULL REFERENCES services (code),
	slug     TEXT NOT NULL,
	name     TEXT NOT NULL,
	position INTEGER NOT NULL DEFAULT 0,
	UNIQUE (service, slug)
) STRICT;

CREATE TABLE media (
	id           INTEGER PRIMARY KEY,
	hash         TEXT NOT NULL UNIQUE,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	width        INTEGER NOT NULL DEFAULT 0,
	height       INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL
) STRICT;

-- AUTOINCREMENT because an article id is part of its public URL: an id must
-- never be handed out twice, even after the newest story is deleted.
CREATE TABLE articles (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	service       TEXT NOT NULL REFERENCES services (code),
	section       TEXT NOT NULL DEFAULT '',
	slug          TEXT NOT NULL,
	headline      TEXT NOT NULL,
	summary       TEXT NOT NULL DEFAULT '',
	body          TEXT NOT NULL DEFAULT '',
	bylines       TEXT NOT NULL DEFAULT '[]',
	dateline      TEXT NOT NULL DEFAULT '',
	lead_media_id INTEGER REFERENCES media (id),
	lead_alt      TEXT NOT NULL DEFAULT '',
	lead_caption  TEXT NOT NULL DEFAULT '',
	lead_credit   TEXT NOT NULL DEFAULT '',
	credits       TEXT NOT NULL DEFAULT '[]',
	tags          TEXT NOT NULL DEFAULT '[]',
	status        TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'unpublished')),
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	published_at  INTEGER,
	scheduled_at  INTEGER,
	version       INTEGER NOT NULL DEFAULT 1
) STRICT;

-- Reader lists: a service's (or a section's) live stories, newest first.
CREATE INDEX articles_service_status_published
	ON articles (service, status, published_at DESC, id DESC);
CREATE INDEX articles_service_section_status_published
	ON articles (service, section, status, published_at DESC, id DESC);
-- API lists page a service's stories by id; id alone is the rowid already.
CREATE INDEX articles_service_id ON articles (service, id DESC);
CREATE INDEX articles_status_id ON articles (status, id DESC);
-- Lets a media row be checked for use without scanning every article.
CREATE INDEX articles_lead_media ON articles (lead_media_id) WHERE lead_media_id IS NOT NULL;

CREATE TABLE corrections (
	id         INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	text       TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX corrections_article ON corrections (article_id, created_at, id);

CREATE TABLE breaking (
	service    TEXT PRIMARY KEY REFERENCES services (code),
	text       TEXT NOT NULL,
	url        TEXT NOT NULL DEFAULT '',
	expires_at INTEGER,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE,
	role       TEXT NOT NULL CHECK (role IN ('reporter', 'editor', 'admin')),
	services   TEXT NOT NULL DEFAULT '[]',
	created_at INTEGER NOT NULL
) STRICT;
