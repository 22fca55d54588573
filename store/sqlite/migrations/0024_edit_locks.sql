-- Who is editing each story (kolokol.EditLocks): one lock per story, and
-- who has it open. Times are unix nanoseconds; rows past their expiry mean
-- nothing and are overwritten or pruned.
CREATE TABLE edit_locks (
	article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	since      INTEGER NOT NULL,
	expires    INTEGER NOT NULL,
	took_from  INTEGER NOT NULL
) STRICT;

CREATE TABLE story_viewers (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	expires    INTEGER NOT NULL,
	PRIMARY KEY (article_id, user_id)
) STRICT, WITHOUT ROWID;
