-- Mirror targets: where the signed static site is pushed and where readers
-- reach it. Their credentials are never here: they are files in the data
-- directory (mirrors/<id>.key), so that a copy of the database opens no
-- mirror. A retired mirror keeps its row (the audit log names it) and is
-- neither pushed to nor listed. Health is what the last pushes found.
CREATE TABLE mirrors (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	name             TEXT NOT NULL,
	kind             TEXT NOT NULL CHECK (kind IN ('dir', 's3', 'sftp')),
	public_url       TEXT NOT NULL,
	dir              TEXT NOT NULL DEFAULT '',
	endpoint         TEXT NOT NULL DEFAULT '',
	bucket           TEXT NOT NULL DEFAULT '',
	prefix           TEXT NOT NULL DEFAULT '',
	region           TEXT NOT NULL DEFAULT '',
	tls              INTEGER NOT NULL DEFAULT 0,
	access_key       TEXT NOT NULL DEFAULT '',
	host             TEXT NOT NULL DEFAULT '',
	port             INTEGER NOT NULL DEFAULT 0,
	user             TEXT NOT NULL DEFAULT '',
	remote_path      TEXT NOT NULL DEFAULT '',
	host_key         TEXT NOT NULL DEFAULT '',
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	retired_at       INTEGER,
	last_edition     INTEGER NOT NULL DEFAULT 0,
	last_pushed_at   INTEGER,
	last_verified_at INTEGER,
	last_error       TEXT NOT NULL DEFAULT '',
	last_error_at    INTEGER
) STRICT;
-- Names tell live mirrors apart in the newsroom and on the command line; a
-- retired mirror's name may be used again.
CREATE UNIQUE INDEX mirrors_live_name ON mirrors (name) WHERE retired_at IS NULL;
