-- One row per inference request on either door (metering). Times in epoch milliseconds.
CREATE TABLE usage_records (
    request_id          VARCHAR(64)  PRIMARY KEY,
    at                  BIGINT       NOT NULL,
    user_id             VARCHAR(40),
    user_email          VARCHAR(320),
    key_id              VARCHAR(40),
    groups_csv          VARCHAR(4000),
    session_id          VARCHAR(200),
    agent_id            VARCHAR(200),
    door                VARCHAR(16)  NOT NULL,
    operation           VARCHAR(40)  NOT NULL,
    model_asked         VARCHAR(400),
    model               VARCHAR(400),
    region              VARCHAR(32),
    input_tokens        BIGINT       NOT NULL,
    output_tokens       BIGINT       NOT NULL,
    cache_read_tokens   BIGINT       NOT NULL,
    cache_write_5m_tokens BIGINT     NOT NULL,
    cache_write_1h_tokens BIGINT     NOT NULL,
    status              INTEGER      NOT NULL,
    error_type          VARCHAR(100),
    latency_ms          BIGINT       NOT NULL,
    ttfb_ms             BIGINT,
    client_aborted      BOOLEAN      NOT NULL
);
CREATE INDEX usage_records_at ON usage_records (at);
CREATE INDEX usage_records_user_at ON usage_records (user_id, at);
