-- The email edition (issue 19): subscriptions are the only reader data
-- kept. The address is never here in clear: sealed is the address
-- encrypted under the subscribers key file (outside the database), lookup
-- a keyed hash of it that makes one row per address and service. The
-- reader's tokens are kept as their SHA-256. Unsubscribing deletes the row
-- and its deliveries; a pending row is deleted after 48 hours.
CREATE TABLE subscriptions (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	service         TEXT NOT NULL,
	lookup          BLOB NOT NULL,
	sealed          BLOB NOT NULL,
	digest          INTEGER NOT NULL DEFAULT 0,
	alerts          INTEGER NOT NULL DEFAULT 0,
	status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed')),
	confirm_hash    BLOB NOT NULL,
	manage_hash     BLOB NOT NULL,
	created_at      INTEGER NOT NULL,
	confirmed_at    INTEGER,
	confirm_sent_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX subscriptions_lookup ON subscriptions (service, lookup);
CREATE UNIQUE INDEX subscriptions_confirm ON subscriptions (confirm_hash);
CREATE UNIQUE INDEX subscriptions_manage ON subscriptions (manage_hash);
CREATE INDEX subscriptions_pending ON subscriptions (status, created_at);

-- One mail to one subscription. (subscription, key) is unique: a delivery
-- is claimed (queued to sending) before its mail is sent, and a delivery
-- left in sending by a crash is not sent again: at most once.
CREATE TABLE deliveries (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	subscription INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	key          TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX deliveries_key ON deliveries (subscription, key);
CREATE INDEX deliveries_queue ON deliveries (key, status, id);
