-- Usage records the database refused one by one (while it took others): kept whole, with the reason,
-- so one bad record never holds back the rest and nothing is silently lost.
CREATE TABLE usage_dead_letters (
    id          VARCHAR(40)   PRIMARY KEY,
    at          BIGINT        NOT NULL,
    request_id  VARCHAR(64),
    reason      VARCHAR(2000) NOT NULL,
    record      TEXT          NOT NULL
);
