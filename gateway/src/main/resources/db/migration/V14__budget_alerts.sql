-- Budget alerts: one row per person, period, period start and threshold crossed. The primary key makes each alert
-- fire once however many instances see the crossing; its deliveries are written in the same transaction.
CREATE TABLE budget_alerts (
    user_id       VARCHAR(40)  NOT NULL,
    period        VARCHAR(10)  NOT NULL,
    period_start  VARCHAR(10)  NOT NULL,
    threshold     INTEGER      NOT NULL,
    limit_cents   BIGINT       NOT NULL,
    spent_nanos   BIGINT       NOT NULL,
    at            BIGINT       NOT NULL,
    PRIMARY KEY (user_id, period, period_start, threshold)
);

-- Each notification of an alert (a webhook, an e-mail), retried until delivered or out of attempts. claim_until
-- lets one instance at a time try it.
CREATE TABLE alert_deliveries (
    id            VARCHAR(40)   PRIMARY KEY,
    created_at    BIGINT        NOT NULL,
    channel       VARCHAR(16)   NOT NULL,
    target        VARCHAR(1000) NOT NULL,
    subject       VARCHAR(400),
    payload       TEXT          NOT NULL,
    attempts      INTEGER       NOT NULL,
    next_at       BIGINT        NOT NULL,
    claim_until   BIGINT        NOT NULL,
    delivered_at  BIGINT,
    failed_at     BIGINT,
    last_error    VARCHAR(2000)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
