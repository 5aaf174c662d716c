-- Access JWTs revoked before they expire (RFC 7009 on an access token); kept until their own expiry.
CREATE TABLE revoked_access_tokens (
    jti         VARCHAR(64) PRIMARY KEY,
    expires_at  BIGINT      NOT NULL
);
CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens (expires_at);
