-- Safety notices per service and country, and each service's "reading
-- safely" page.
CREATE TABLE notices (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	service    TEXT NOT NULL REFERENCES services (code),
	text       TEXT NOT NULL,
	link       TEXT NOT NULL DEFAULT '',
	countries  TEXT NOT NULL DEFAULT '[]',
	is_default INTEGER NOT NULL DEFAULT 0,
	mirrors    INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX notices_service ON notices (service, id);
ALTER TABLE services ADD COLUMN safety TEXT NOT NULL DEFAULT '';
