-- Newsroom accounts, their sessions, and the audit log of what they do.
CREATE TABLE users (
	id              INTEGER PRIMARY KEY,
	email           TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL DEFAULT '',
	password_hash   TEXT NOT NULL DEFAULT '',
	role            TEXT NOT NULL,
	services        TEXT NOT NULL DEFAULT '[]',
	totp_secret     TEXT NOT NULL DEFAULT '',
	totp_last_step  INTEGER NOT NULL DEFAULT 0,
	recovery_hashes TEXT NOT NULL DEFAULT '[]',
	disabled        INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	version         INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
	id         INTEGER PRIMARY KEY,
	time       INTEGER NOT NULL,
	actor      TEXT NOT NULL,
	action     TEXT NOT NULL,
	service    TEXT NOT NULL DEFAULT '',
	article_id INTEGER NOT NULL DEFAULT 0,
	target     TEXT NOT NULL DEFAULT '',
	detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_actor ON audit_log (actor, id);
CREATE INDEX audit_action ON audit_log (action, id);
CREATE INDEX audit_service ON audit_log (service, id);
CREATE INDEX audit_article ON audit_log (article_id, id) WHERE article_id != 0;
