-- Costs are integer nanodollars (10^-9 USD): exact in both databases. price_version names the price list charged.
ALTER TABLE usage_records ADD COLUMN cost_nanos BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD COLUMN price_version VARCHAR(40);
ALTER TABLE usage_records ADD COLUMN team VARCHAR(200);
ALTER TABLE usage_records ADD COLUMN project VARCHAR(200);
ALTER TABLE users ADD COLUMN team VARCHAR(200);
-- The IdP groups seen at the user's last sign-in, so group limits also apply to their API keys.
ALTER TABLE users ADD COLUMN groups_csv VARCHAR(4000);
ALTER TABLE api_keys ADD COLUMN team VARCHAR(200);
ALTER TABLE api_keys ADD COLUMN project VARCHAR(200);

-- Every price list ever used; the newest is in force.
CREATE TABLE price_lists (
    version      VARCHAR(40)  PRIMARY KEY,
    csv          TEXT         NOT NULL,
    imported_at  BIGINT       NOT NULL,
    imported_by  VARCHAR(320) NOT NULL
);

-- Spend limits in the shape of Anthropic's admin API. scope_value is '' for the organisation.
CREATE TABLE spend_limits (
    id           VARCHAR(40)  PRIMARY KEY,
    scope_type   VARCHAR(20)  NOT NULL,
    scope_value  VARCHAR(320) NOT NULL,
    period       VARCHAR(10)  NOT NULL,
    amount_cents BIGINT,
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL,
    UNIQUE (scope_type, scope_value, period)
);

-- Daily totals, kept in the same transaction as the raw records they sum; reports over months read these.
-- Key columns hold '' rather than NULL so they can be part of the primary key on PostgreSQL.
CREATE TABLE usage_daily (
    day                   VARCHAR(10)  NOT NULL,
    user_id               VARCHAR(40)  NOT NULL,
    user_email            VARCHAR(320) NOT NULL,
    team                  VARCHAR(200) NOT NULL,
    project               VARCHAR(200) NOT NULL,
    model                 VARCHAR(400) NOT NULL,
    region                VARCHAR(32)  NOT NULL,
    door                  VARCHAR(16)  NOT NULL,
    requests              BIGINT       NOT NULL,
    errors                BIGINT       NOT NULL,
    input_tokens          BIGINT       NOT NULL,
    output_tokens         BIGINT       NOT NULL,
    cache_read_tokens     BIGINT       NOT NULL,
    cache_write_5m_tokens BIGINT       NOT NULL,
    cache_write_1h_tokens BIGINT       NOT NULL,
    cost_nanos            BIGINT       NOT NULL,
    PRIMARY KEY (day, user_id, user_email, team, project, model, region, door)
);
CREATE INDEX usage_daily_user_day ON usage_daily (user_id, day);
