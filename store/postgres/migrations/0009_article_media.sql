-- The media a story's pages show: its lead image and the pictures of the
-- blocks in its body (kolokol.BodyMedia), one row for each story and
-- media, kept by every write of the story. "Which stories show this
-- picture" (who may use it, which pages a new crop changes) is then one
-- range of media_id rather than a scan of every body.
CREATE TABLE article_media (
	article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	media_id   bigint NOT NULL REFERENCES media (id),
	PRIMARY KEY (article_id, media_id)
);
CREATE INDEX article_media_media ON article_media (media_id);

-- Stories stored before blocks existed show at most their lead image.
INSERT INTO article_media (article_id, media_id)
	SELECT id, lead_media_id FROM articles WHERE lead_media_id IS NOT NULL;
