-- The gateway's usage export (export.to) as an Athena table. Replace the two s3:// locations with your export's
-- bucket and prefix. Partition projection finds each day's folder (dt=YYYY-MM-DD/) without MSCK REPAIR or a crawler.
-- Trino, Spark and DuckDB read the same files: in DuckDB,
--   SELECT * FROM read_parquet('s3://BUCKET/PREFIX/*/*.parquet', hive_partitioning = true);
CREATE EXTERNAL TABLE IF NOT EXISTS bsg_usage (
  request_id             string,
  `at`                   timestamp,
  user_id                string,
  user_email             string,
  key_id                 string,
  groups_csv             string,
  team                   string,
  project                string,
  session_id             string,
  agent_id               string,
  door                   string,
  operation              string,
  model_asked            string,
  model                  string,
  region                 string,
  input_tokens           bigint,
  output_tokens          bigint,
  cache_read_tokens      bigint,
  cache_write_5m_tokens  bigint,
  cache_write_1h_tokens  bigint,
  cost_nanos             bigint,
  cost_usd               decimal(18,9),
  price_version          string,
  status                 int,
  error_type             string,
  latency_ms             bigint,
  ttfb_ms                bigint,
  client_aborted         boolean
)
PARTITIONED BY (dt string)
STORED AS PARQUET
LOCATION 's3://BUCKET/PREFIX/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://BUCKET/PREFIX/dt=${dt}/'
);

-- Spend by team and model this month:
--   SELECT team, model, SUM(cost_usd) AS usd FROM bsg_usage
--   WHERE dt >= date_format(date_trunc('month', current_date), '%Y-%m-%d') GROUP BY 1, 2 ORDER BY usd DESC;
