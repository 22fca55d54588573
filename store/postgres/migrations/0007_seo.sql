-- Titles for search engines and social cards, and the slug an editor
-- typed ('' makes the slug follow the headline), on stories and on each
-- revision; a service's choice of Latin addresses.
ALTER TABLE articles ADD COLUMN custom_slug text NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN seo_title text NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN social_title text NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN social_description text NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN custom_slug text NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN seo_title text NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN social_title text NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN social_description text NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN latin_slugs boolean NOT NULL DEFAULT false;
