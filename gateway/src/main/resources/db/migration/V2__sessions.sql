-- Secrets the gateway generates for itself when the config gives none (e.g. the session signing key).
CREATE TABLE gateway_secrets (
    name        VARCHAR(100) PRIMARY KEY,
    value       VARCHAR(400) NOT NULL,
    created_at  BIGINT       NOT NULL
);

-- The gateway's own refresh tokens: opaque, stored hashed, single use; each use issues the next one in
-- the same family, and presenting a used one revokes the whole family (theft detection).
CREATE TABLE refresh_tokens (
    id          VARCHAR(40)  PRIMARY KEY,
    family_id   VARCHAR(40)  NOT NULL,
    user_id     VARCHAR(40)  NOT NULL REFERENCES users (id),
    token_hash  CHAR(64)     NOT NULL UNIQUE,
    created_at  BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL,
    used_at     BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
