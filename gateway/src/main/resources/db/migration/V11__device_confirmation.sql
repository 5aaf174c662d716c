-- Who asked for a device grant (shown to the person before they approve it), and the one-time
-- confirmation the approval page carries after they signed in (RFC 8628 §5.4: no token for a code
-- nobody looked at).
ALTER TABLE device_grants ADD COLUMN requester VARCHAR(200);
ALTER TABLE device_grants ADD COLUMN requester_ip VARCHAR(64);
ALTER TABLE device_grants ADD COLUMN confirm_hash CHAR(64);
CREATE INDEX device_grants_confirm ON device_grants (confirm_hash);
