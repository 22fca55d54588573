-- Roles per desk: an account's role on each of its services (one account
-- may edit the Russian desk and report for the Georgian one). users.role
-- and users.services stay, as the highest role and the list of these
-- services (or admin and none: a global admin).
CREATE TABLE user_desks (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	service TEXT NOT NULL,
	role    TEXT NOT NULL CHECK (role IN ('reporter', 'editor', 'admin')),
	PRIMARY KEY (user_id, service)
) STRICT, WITHOUT ROWID;
-- Who is told when a draft reaches a desk: the editors of a service.
CREATE INDEX user_desks_service ON user_desks (service, role);

-- Every account keeps what it could do: its one role on each service.
INSERT OR IGNORE INTO user_desks (user_id, service, role)
	SELECT users.id, services.value, users.role FROM users, json_each(users.services) AS services;

-- Newsroom notifications, one row per recipient, so that each reads and
-- clears their own, on whichever server they use.
CREATE TABLE notifications (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	service    TEXT NOT NULL,
	article_id INTEGER NOT NULL,
	actor      TEXT NOT NULL,
	headline   TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	read_at    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);
