-- Every stored version of an article's text, for history, diffs and restore.
CREATE TABLE revisions (
	id         INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	version    INTEGER NOT NULL,
	actor      TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	status     TEXT NOT NULL,
	section    TEXT NOT NULL DEFAULT '',
	headline   TEXT NOT NULL,
	summary    TEXT NOT NULL DEFAULT '',
	body       TEXT NOT NULL DEFAULT '',
	dateline   TEXT NOT NULL DEFAULT '',
	bylines    TEXT NOT NULL DEFAULT '[]',
	tags       TEXT NOT NULL DEFAULT '[]',
	credits    TEXT NOT NULL DEFAULT '[]',
	lead_media_id INTEGER,
	lead_alt      TEXT NOT NULL DEFAULT '',
	lead_caption  TEXT NOT NULL DEFAULT '',
	lead_credit   TEXT NOT NULL DEFAULT '',
	UNIQUE (article_id, version)
);
