-- API tokens can expire and be revoked, and say who made them and on which
-- day they were last used: the day only (YYYY-MM-DD, UTC), never the time
-- or anything about the request.
ALTER TABLE tokens ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE tokens ADD COLUMN revoked_at INTEGER;
ALTER TABLE tokens ADD COLUMN last_used TEXT
	CHECK (last_used IS NULL OR last_used GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
