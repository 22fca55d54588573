-- What several servers on one database share (see kolokol.Leases,
-- Throttles and Ceremonies), so that none of it lives in one server's
-- memory.

-- Once-only jobs: who runs each, until when (unix nanoseconds).
CREATE TABLE leases (
	name    text COLLATE "C" PRIMARY KEY,
	holder  text COLLATE "C" NOT NULL,
	expires bigint NOT NULL
);

-- The sign-in throttle's counts, by limiter (kind) and key: a keyed hash
-- of a network, or an account's email; never an address.
CREATE TABLE throttles (
	kind     text COLLATE "C" NOT NULL,
	key      text COLLATE "C" NOT NULL,
	failures integer NOT NULL,
	last     bigint NOT NULL,
	until    bigint NOT NULL,
	PRIMARY KEY (kind, key)
);
CREATE INDEX throttles_until ON throttles (kind, until);

-- Passkey ceremonies between their two requests, by the hash of their
-- cookie.
CREATE TABLE ceremonies (
	key     text COLLATE "C" PRIMARY KEY,
	data    bytea NOT NULL,
	expires bigint NOT NULL
);
CREATE INDEX ceremonies_expires ON ceremonies (expires);

-- The key sign-in sources are hashed under (auth.Sources), one for all
-- servers so that a source's count is one count, replaced daily so that a
-- stored hash cannot be tested against addresses for long.
CREATE TABLE throttle_key (
	id   integer PRIMARY KEY CHECK (id = 1),
	key  bytea NOT NULL,
	made bigint NOT NULL
);
