-- Versions of one story in several services share a translation group.
ALTER TABLE articles ADD COLUMN translation_group TEXT NOT NULL DEFAULT '';
CREATE INDEX articles_translation_group ON articles (translation_group) WHERE translation_group != '';
