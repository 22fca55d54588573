-- The author filter compares text folded by the application, like the
-- headline's (SQLite's own folding is ASCII only): the creating account and
-- the bylines, folded, in one column the migration's Go step fills for the
-- stories already stored.
ALTER TABLE articles ADD COLUMN author_fold TEXT NOT NULL DEFAULT '';
DROP INDEX articles_search;
CREATE INDEX articles_search ON articles (service, headline_fold, author_fold);
