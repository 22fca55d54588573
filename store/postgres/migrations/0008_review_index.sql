-- The review queues (drafts handed in on a desk; what an account handed
-- in) read the few submitted stories through these indexes rather than
-- walking every story of the desks on each dashboard.
CREATE INDEX articles_submitted ON articles (service, status, submitted_at) WHERE submitted_at IS NOT NULL;
CREATE INDEX articles_submitted_by ON articles (created_by, submitted_at) WHERE submitted_at IS NOT NULL;
