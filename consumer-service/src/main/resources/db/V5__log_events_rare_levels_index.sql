-- The (service, level, ts) index holds only the rare levels. Indexing every event cost COPY half
-- its speed on PostgreSQL (its inserts land in the middle of the index, one place per service and
-- level, and split pages there); WARN and ERROR, about a tenth of the events, are what a search
-- needs an index for. A search for a common level reads the newest rows through the ts index and
-- finds its matches among them. LogQueries names this predicate in its SQL so that both SQLite's
-- and PostgreSQL's planners use the index.
DROP INDEX IF EXISTS log_events_service_level_ts;
CREATE INDEX IF NOT EXISTS log_events_rare_levels ON log_events (service, level, ts)
  WHERE level IN ('WARN', 'ERROR');
