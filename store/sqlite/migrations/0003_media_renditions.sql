-- Media rows describe the master re-encoded from an upload; its renditions
-- (crops at several widths, in WebP and JPEG) are files of their own,
-- content-addressed by key. Crops keep the focal point in view; uploads
-- start at the centre. Renditions are replaced as a whole when the focal
-- point moves.
ALTER TABLE media ADD COLUMN focal_x REAL NOT NULL DEFAULT 0.5 CHECK (focal_x BETWEEN 0 AND 1);
ALTER TABLE media ADD COLUMN focal_y REAL NOT NULL DEFAULT 0.5 CHECK (focal_y BETWEEN 0 AND 1);

CREATE TABLE media_renditions (
	media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
	key      TEXT NOT NULL,
	ratio    TEXT NOT NULL,
	format   TEXT NOT NULL CHECK (format IN ('webp', 'jpeg')),
	width    INTEGER NOT NULL CHECK (width > 0),
	height   INTEGER NOT NULL CHECK (height > 0),
	size     INTEGER NOT NULL CHECK (size > 0),
	position INTEGER NOT NULL, -- the order they were given in, which reads keep
	PRIMARY KEY (media_id, ratio, format, width)
) STRICT, WITHOUT ROWID;
