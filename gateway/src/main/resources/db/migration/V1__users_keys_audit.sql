-- Times are epoch milliseconds so SQLite and PostgreSQL behave the same.
CREATE TABLE users (
    id          VARCHAR(40)  PRIMARY KEY,
    email       VARCHAR(320) NOT NULL UNIQUE,
    name        VARCHAR(200),
    disabled    BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at  BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL
);

CREATE TABLE api_keys (
    id           VARCHAR(40)  PRIMARY KEY,
    user_id      VARCHAR(40)  NOT NULL REFERENCES users (id),
    name         VARCHAR(200) NOT NULL,
    key_hash     CHAR(64)     NOT NULL UNIQUE,
    key_hint     VARCHAR(16)  NOT NULL,
    created_at   BIGINT       NOT NULL,
    expires_at   BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE audit_events (
    id          VARCHAR(40)  PRIMARY KEY,
    at          BIGINT       NOT NULL,
    actor       VARCHAR(320) NOT NULL,
    action      VARCHAR(100) NOT NULL,
    target      VARCHAR(400),
    outcome     VARCHAR(40)  NOT NULL,
    source_ip   VARCHAR(64),
    detail      VARCHAR(2000)
);
CREATE INDEX audit_events_at ON audit_events (at);
