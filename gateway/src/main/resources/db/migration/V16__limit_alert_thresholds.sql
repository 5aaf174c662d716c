-- A spend limit's own alert thresholds (percentages, comma-separated); NULL takes alerts.thresholds, '' none.
ALTER TABLE spend_limits ADD COLUMN alert_thresholds VARCHAR(100);
