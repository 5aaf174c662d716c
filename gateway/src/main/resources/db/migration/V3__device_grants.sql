-- RFC 8628 device authorization grants (Claude Code's gateway login, bsg login --device).
CREATE TABLE device_grants (
    id               VARCHAR(40)  PRIMARY KEY,
    device_code_hash CHAR(64)     NOT NULL UNIQUE,
    user_code        VARCHAR(16)  NOT NULL UNIQUE,
    status           VARCHAR(16)  NOT NULL,
    user_id          VARCHAR(40),
    subject          VARCHAR(400),
    groups_csv       VARCHAR(4000),
    created_at       BIGINT       NOT NULL,
    expires_at       BIGINT       NOT NULL,
    last_polled_at   BIGINT
);
