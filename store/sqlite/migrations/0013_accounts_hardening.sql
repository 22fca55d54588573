-- Enrolment links carry the TOTP secret they offer: an account has a second
-- factor only once it completes enrolment, and an account has one link at a
-- time (the Go step of this migration moves the secrets of open links and
-- removes links of accounts that are enrolled already).
ALTER TABLE enrolments ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
CREATE INDEX enrolments_user ON enrolments (user_id);

-- Every service an audit entry concerns, so that a service's admins find
-- what was done to and by the accounts of their service.
CREATE TABLE audit_services (
	audit_id INTEGER NOT NULL REFERENCES audit_log (id) ON DELETE CASCADE,
	service  TEXT NOT NULL,
	PRIMARY KEY (service, audit_id)
) WITHOUT ROWID;
CREATE INDEX audit_services_entry ON audit_services (audit_id);
INSERT INTO audit_services (audit_id, service) SELECT id, service FROM audit_log WHERE service != '';

-- Forms posted after their author's session ended, held until they sign in.
CREATE TABLE pending_saves (
	id_hash      TEXT PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	path         TEXT NOT NULL,
	content_type TEXT NOT NULL,
	title        TEXT NOT NULL DEFAULT '',
	body         BLOB NOT NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
);
CREATE INDEX pending_saves_user ON pending_saves (user_id, created_at);

-- The story editor's working copies (article_id 0: a story not yet created).
CREATE TABLE autosaves (
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	article_id INTEGER NOT NULL,
	service    TEXT NOT NULL,
	version    INTEGER NOT NULL,
	fields     TEXT NOT NULL,
	saved_at   INTEGER NOT NULL,
	PRIMARY KEY (user_id, article_id, service)
);

-- Revisions record the translation group too, so that restoring one and
-- merging concurrent edits cover every field of the editor's form. Earlier
-- revisions take the story's present group.
ALTER TABLE revisions ADD COLUMN translation_group TEXT NOT NULL DEFAULT '';
UPDATE revisions SET translation_group = (SELECT translation_group FROM articles WHERE articles.id = revisions.article_id);
