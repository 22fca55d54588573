-- The zone a newsroom user reads times in away from story pages (an IANA
-- name); '' is not chosen yet, shown as UTC.
ALTER TABLE users ADD COLUMN zone TEXT NOT NULL DEFAULT '';
