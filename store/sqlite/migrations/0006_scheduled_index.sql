-- The scheduler asks for scheduled stories that are due.
CREATE INDEX articles_scheduled ON articles (status, scheduled_at) WHERE scheduled_at IS NOT NULL;
