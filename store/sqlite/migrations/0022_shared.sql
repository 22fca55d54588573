-- What several servers on one database share (see kolokol.Leases,
-- Throttles and Ceremonies). A SQLite file has one server, but the store
-- keeps the same rows so that the rest of the program cannot tell.

-- Once-only jobs: who runs each, until when (unix nanoseconds).
CREATE TABLE leases (
	name    TEXT PRIMARY KEY,
	holder  TEXT NOT NULL,
	expires INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The sign-in throttle's counts, by limiter (kind) and key: a keyed hash
-- of a network, or an account's email; never an address.
CREATE TABLE throttles (
	kind     TEXT NOT NULL,
	key      TEXT NOT NULL,
	failures INTEGER NOT NULL,
	last     INTEGER NOT NULL,
	until    INTEGER NOT NULL,
	PRIMARY KEY (kind, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX throttles_until ON throttles (kind, until);

-- Passkey ceremonies between their two requests, by the hash of their
-- cookie.
CREATE TABLE ceremonies (
	key     TEXT PRIMARY KEY,
	data    BLOB NOT NULL,
	expires INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX ceremonies_expires ON ceremonies (expires);

-- The key sign-in sources are hashed under (auth.Sources), one for all
-- servers so that a source's count is one count, replaced daily so that a
-- stored hash cannot be tested against addresses for long.
CREATE TABLE throttle_key (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	key  BLOB NOT NULL,
	made INTEGER NOT NULL
) STRICT;
