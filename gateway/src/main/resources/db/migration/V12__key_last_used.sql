-- When each key was last used: set by the usage writer with each batch (one update per key), so the console can
-- show it without scanning usage_records, which has no index by key.
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;
