-- Who is editing each story (kolokol.EditLocks): one lock per story, and
-- who has it open. Times are unix nanoseconds; rows past their expiry mean
-- nothing and are overwritten or pruned.
CREATE TABLE edit_locks (
	article_id bigint PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
	user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	since      bigint NOT NULL,
	expires    bigint NOT NULL,
	took_from  bigint NOT NULL
);

CREATE TABLE story_viewers (
	article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	expires    bigint NOT NULL,
	PRIMARY KEY (article_id, user_id)
);
