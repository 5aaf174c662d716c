-- Usage export: each record is claimed by exactly one export batch; a batch not yet finished is written again,
-- to the same file names, after a crash. Leases let one instance at a time do a job meant for one.
ALTER TABLE usage_records ADD COLUMN export_batch VARCHAR(40);
CREATE INDEX usage_records_unexported ON usage_records (at) WHERE export_batch IS NULL;
CREATE INDEX usage_records_export_batch ON usage_records (export_batch);

CREATE TABLE usage_exports (
    id           VARCHAR(40)   PRIMARY KEY,
    created_at   BIGINT        NOT NULL,
    finished_at  BIGINT,
    records      BIGINT        NOT NULL,
    files        VARCHAR(4000)
);

CREATE TABLE leases (
    name        VARCHAR(100) PRIMARY KEY,
    holder      VARCHAR(100) NOT NULL,
    expires_at  BIGINT       NOT NULL
);
INSERT INTO leases (name, holder, expires_at) VALUES ('usage-export', '', 0);
