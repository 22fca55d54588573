-- The change log: every newsroom operation that changes what readers see
-- appends a row in its own transaction; consumers (the page cache, export,
-- feeds, search, other servers) read forward from their cursors.
-- AUTOINCREMENT: a seq is never reused, even after pruning.
CREATE TABLE changes (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	time       INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	service    TEXT NOT NULL DEFAULT '',
	article_id INTEGER NOT NULL DEFAULT 0,
	media_id   INTEGER NOT NULL DEFAULT 0,
	listed     INTEGER NOT NULL DEFAULT 0,
	groups     TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE cursors (
	consumer   TEXT PRIMARY KEY,
	seq        INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
