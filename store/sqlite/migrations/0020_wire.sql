-- The wire queue: agency copy waiting for editors, per service. The same
-- provider and guid is one item, replaced by its newer versions. What a
-- story was opened from (used_*) is kept, to show a newer version as a
-- difference.
CREATE TABLE wire_items (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	service       TEXT NOT NULL REFERENCES services (code),
	provider      TEXT NOT NULL,
	guid          TEXT NOT NULL,
	version       TEXT NOT NULL DEFAULT '',
	type          TEXT NOT NULL CHECK (type IN ('text', 'picture')),
	language      TEXT NOT NULL DEFAULT '',
	headline      TEXT NOT NULL DEFAULT '',
	summary       TEXT NOT NULL DEFAULT '',
	body          TEXT NOT NULL DEFAULT '',
	bylines       TEXT NOT NULL DEFAULT '[]',
	dateline      TEXT NOT NULL DEFAULT '',
	subjects      TEXT NOT NULL DEFAULT '[]',
	urgency       INTEGER NOT NULL DEFAULT 0,
	embargo       INTEGER,
	sent_at       INTEGER,
	source        TEXT NOT NULL DEFAULT '',
	media_id      INTEGER NOT NULL DEFAULT 0,
	media_caption TEXT NOT NULL DEFAULT '',
	media_credit  TEXT NOT NULL DEFAULT '',
	media_alt     TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'used', 'dismissed')),
	article_id    INTEGER NOT NULL DEFAULT 0,
	used_version  TEXT NOT NULL DEFAULT '',
	used_headline TEXT NOT NULL DEFAULT '',
	used_body     TEXT NOT NULL DEFAULT '',
	received_at   INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX wire_items_guid ON wire_items (service, provider, guid);
CREATE INDEX wire_items_queue ON wire_items (service, status, id DESC);
CREATE INDEX wire_items_article ON wire_items (article_id) WHERE article_id != 0;
