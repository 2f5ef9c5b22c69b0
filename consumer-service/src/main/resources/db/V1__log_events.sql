-- Log events, keyed by their id so a redelivered event is stored once.
CREATE TABLE IF NOT EXISTS log_events (
  id VARCHAR(128) PRIMARY KEY,
  ts BIGINT NOT NULL,
  service VARCHAR(256) NOT NULL,
  host VARCHAR(256) NOT NULL,
  level VARCHAR(8) NOT NULL,
  message TEXT NOT NULL,
  trace_id VARCHAR(128),
  latency_ms BIGINT,
  attributes TEXT,
  stored_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_events_ts ON log_events (ts);
CREATE INDEX IF NOT EXISTS log_events_service_level_ts ON log_events (service, level, ts);

-- Events per minute, service and level, counted as events are stored.
CREATE TABLE IF NOT EXISTS log_counts (
  minute BIGINT NOT NULL,
  service VARCHAR(256) NOT NULL,
  level VARCHAR(8) NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (minute, service, level)
);

-- The next Kafka offset to read per group and partition, written in the same transaction as the rows.
CREATE TABLE IF NOT EXISTS consumer_offsets (
  consumer_group VARCHAR(256) NOT NULL,
  topic VARCHAR(256) NOT NULL,
  partition_id INT NOT NULL,
  next_offset BIGINT NOT NULL,
  PRIMARY KEY (consumer_group, topic, partition_id)
);
