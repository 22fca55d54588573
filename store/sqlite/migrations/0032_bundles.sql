-- Offline editions (issue 19): each service's published ZIM and EPUB
-- bundles, listed on its mirrors page. The files are in the media store,
-- content-addressed (key, sig_key), as pictures are.
CREATE TABLE bundles (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	service    TEXT NOT NULL REFERENCES services (code),
	kind       TEXT NOT NULL CHECK (kind IN ('zim', 'epub')),
	name       TEXT NOT NULL,
	key        TEXT NOT NULL,
	sig_key    TEXT NOT NULL,
	size       INTEGER NOT NULL,
	stories    INTEGER NOT NULL,
	period_from INTEGER NOT NULL,
	period_to  INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX bundles_service ON bundles (service, created_at DESC, id DESC);
