-- WebAuthn credentials: a second factor in place of a TOTP code.
CREATE TABLE passkeys (
	id           TEXT PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	credential   BLOB NOT NULL,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER
) STRICT;
CREATE INDEX passkeys_user ON passkeys (user_id, created_at);
