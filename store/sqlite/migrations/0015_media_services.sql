-- The services that uploaded each media. With the services whose stories
-- show it, they are who may see it: a photo is no longer every service's.
CREATE TABLE media_services (
	media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
	service  TEXT NOT NULL REFERENCES services (code),
	PRIMARY KEY (media_id, service)
) STRICT, WITHOUT ROWID;

-- Who uploaded the media stored before was not recorded. The services
-- whose stories show it, or showed it in an earlier revision, had it then:
-- they keep it, and a restored revision keeps its photo.
INSERT OR IGNORE INTO media_services (media_id, service)
	SELECT lead_media_id, service FROM articles WHERE lead_media_id IS NOT NULL;
INSERT OR IGNORE INTO media_services (media_id, service)
	SELECT r.lead_media_id, a.service FROM revisions r JOIN articles a ON a.id = r.article_id
	WHERE r.lead_media_id IN (SELECT id FROM media);
