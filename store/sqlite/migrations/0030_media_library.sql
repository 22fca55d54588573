-- The media library (issue 18): each photo's defaults for the stories
-- that take it (alt text, caption, credit), the uploaded file's name, who
-- uploaded it, and text_fold, the four texts folded by Go (see
-- sqlstore.mediaFold) for the library's search.
ALTER TABLE media ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN alt TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN caption TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN credit TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN uploaded_by TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN text_fold TEXT NOT NULL DEFAULT '';

-- A library lists newest first.
CREATE INDEX media_created ON media (created_at DESC, id DESC);
