-- The identity provider's refresh token for a session family, encrypted (AES-GCM) with a gateway
-- secret: each refresh of ours refreshes at the IdP too, so IdP-side disabling and group changes apply.
ALTER TABLE refresh_tokens ADD COLUMN idp_refresh_token VARCHAR(8000);
-- The groups the session was minted with, carried to each refreshed access token.
ALTER TABLE refresh_tokens ADD COLUMN groups_csv VARCHAR(4000);
ALTER TABLE refresh_tokens ADD COLUMN subject VARCHAR(400);
-- A device sign-in hands its (sealed) IdP refresh token to the session the device then redeems.
ALTER TABLE device_grants ADD COLUMN idp_refresh_token VARCHAR(8000);
