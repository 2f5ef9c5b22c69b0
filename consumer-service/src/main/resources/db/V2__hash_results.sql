-- Hash results, one per job id: a redelivered job's second result is ignored.
CREATE TABLE IF NOT EXISTS hash_results (
  job_id VARCHAR(128) PRIMARY KEY,
  source TEXT NOT NULL,
  size BIGINT NOT NULL,
  digests TEXT NOT NULL,
  mtime BIGINT,
  duration_ms BIGINT NOT NULL,
  worker VARCHAR(256) NOT NULL,
  error TEXT,
  verified SMALLINT,
  stored_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS hash_results_stored_at ON hash_results (stored_at);
