-- Tag pages and feeds: a story's tags by key (kolokol.TagKey: the tag's
-- text made canonical, which the application computes, so the migration's
-- Go step fills the rows of the stories already stored), one row for each
-- story and key, kept by every write of the story. The key comes first so
-- that a tag's stories and a service's tags are each one range of the
-- primary key.
CREATE TABLE article_tags (
	service    TEXT NOT NULL,
	tag        TEXT NOT NULL,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	PRIMARY KEY (service, tag, article_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX article_tags_article ON article_tags (article_id);

-- A change records the tags whose lists it alters, as it does the lists of
-- newest stories (latest).
ALTER TABLE changes ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
