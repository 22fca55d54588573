-- Finding stories (issue 17): the desk a dashboard opens on, an editor's
-- saved searches, and the dashboard's orders by last change.

-- A service code, or '' for the first of the account's own services.
ALTER TABLE users ADD COLUMN home_desk TEXT NOT NULL DEFAULT '';

-- Query is a URL query of the dashboard's own filters only.
CREATE TABLE saved_searches (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	query      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (user_id, name)
) STRICT;

-- The dashboard lists newest changed first, on one desk or on all.
CREATE INDEX articles_service_updated ON articles (service, updated_at DESC, id DESC);
CREATE INDEX articles_updated ON articles (updated_at DESC, id DESC);
