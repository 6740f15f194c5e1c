-- The price index's events as the read models hold them (issue 10 item 7): one row per event
-- of the `price-index` stream, with its recorded time, so a report read "as known on" a past
-- time converts with the estimate that was in use then. The row holds the decoded event as
-- JSON; `ReadModels::price_index` folds the rows in position order. Derived data, like every
-- rm_ table: a rebuild writes it again from the log.
CREATE TABLE rm_price_index (
    position    BIGINT NOT NULL PRIMARY KEY,
    sequence    BIGINT NOT NULL,
    recorded_at TEXT   NOT NULL,
    event       TEXT   NOT NULL
);
