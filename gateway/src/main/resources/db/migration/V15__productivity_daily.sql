-- Claude Code's own telemetry, summed per person and day from the OTLP metrics it sends through the gateway:
-- what people got done next to what they spent. active_ms and cost_micros keep fractions of seconds and dollars.
CREATE TABLE productivity_daily (
    day             VARCHAR(10)  NOT NULL,
    user_id         VARCHAR(40)  NOT NULL,
    user_email      VARCHAR(320) NOT NULL,
    sessions        BIGINT       NOT NULL,
    active_ms       BIGINT       NOT NULL,
    lines_added     BIGINT       NOT NULL,
    lines_removed   BIGINT       NOT NULL,
    commits         BIGINT       NOT NULL,
    pull_requests   BIGINT       NOT NULL,
    edits_accepted  BIGINT       NOT NULL,
    edits_rejected  BIGINT       NOT NULL,
    cost_micros     BIGINT       NOT NULL,
    PRIMARY KEY (day, user_id)
);
