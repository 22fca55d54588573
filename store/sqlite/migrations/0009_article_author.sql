-- Who created a story, and when a reporter handed it in for review: the
-- newsroom filters by both.
ALTER TABLE articles ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN submitted_at INTEGER;
-- Headlines folded to lower case by the application (SQLite's lower() folds
-- ASCII only) for the newsroom's title search; the rows already stored are
-- folded by the migration's Go step (migrate.go).
ALTER TABLE articles ADD COLUMN headline_fold TEXT NOT NULL DEFAULT '';
-- The newsroom's title and author searches scan this narrow index of a
-- service's stories instead of the stories themselves, bodies and all.
CREATE INDEX articles_search ON articles (service, headline_fold, created_by, bylines);
