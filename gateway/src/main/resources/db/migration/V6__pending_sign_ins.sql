-- Browser sign-ins between the redirect to the identity provider and its callback, in the database so
-- the callback may land on any instance behind the load balancer. Short-lived; the PKCE verifier is sealed.
CREATE TABLE pending_sign_ins (
    state_hash       CHAR(64)     PRIMARY KEY,
    nonce            VARCHAR(200) NOT NULL,
    sealed_verifier  VARCHAR(400) NOT NULL,
    device_grant_id  VARCHAR(40),
    expires_at       BIGINT       NOT NULL
);
