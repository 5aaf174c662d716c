-- Reports for one person read the daily rollups (or scan a short range by time); this index only slowed every insert.
DROP INDEX usage_records_user_at;
