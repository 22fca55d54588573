-- The masthead: each service's brand (the outlet's name in its language)
-- and an optional logo, either a drawing reduced to shapes or a picture of
-- the media library.
ALTER TABLE services ADD COLUMN brand TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN logo_svg TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN logo_viewbox TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN logo_media_id INTEGER NOT NULL DEFAULT 0;

-- "More from the section" on every story page lists the newest stories of
-- its section: a change records the lists of newest stories it alters
-- ("SERVICE/SECTION", "SERVICE/" for the service's own), so that only a
-- story entering, leaving or changing among the newest renders the pages
-- that show them again.
ALTER TABLE changes ADD COLUMN latest TEXT NOT NULL DEFAULT '[]';
