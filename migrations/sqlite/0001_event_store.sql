-- The event store, SQLite flavour of migrations/postgres/0001_event_store.sql (same columns and
-- rules). Appends run in BEGIN IMMEDIATE transactions, which serialise writers, so positions
-- are gapless and in commit order. Times are RFC 3339 text in UTC; JSON is text.
CREATE TABLE event (
    position        INTEGER PRIMARY KEY CHECK (position >= 1),
    event_id        TEXT    NOT NULL UNIQUE,
    aggregate_type  TEXT    NOT NULL,
    stream_id       TEXT    NOT NULL,
    sequence        INTEGER NOT NULL CHECK (sequence >= 1),
    event_type      TEXT    NOT NULL,
    event_version   TEXT    NOT NULL,
    payload         TEXT    NOT NULL CHECK (json_valid(payload)),
    metadata        TEXT    NOT NULL CHECK (json_valid(metadata)),
    actor           TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    effective_date  TEXT,
    idempotency_key TEXT    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    prev_hash       TEXT    NOT NULL,
    hash            TEXT    NOT NULL,
    UNIQUE (aggregate_type, stream_id, sequence)
);

CREATE INDEX event_stream_idempotency_idx ON event (aggregate_type, stream_id, idempotency_key);

CREATE TABLE command (
    aggregate_type  TEXT    NOT NULL,
    stream_id       TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    fingerprint     TEXT    NOT NULL,
    first_sequence  INTEGER NOT NULL,
    last_sequence   INTEGER NOT NULL,
    first_position  INTEGER NOT NULL,
    last_position   INTEGER NOT NULL,
    recorded_at     TEXT    NOT NULL,
    PRIMARY KEY (aggregate_type, stream_id, idempotency_key)
);

CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN SELECT RAISE(ABORT, 'the event table is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN SELECT RAISE(ABORT, 'the event table is append-only: DELETE is not allowed'); END;
CREATE TRIGGER command_no_update BEFORE UPDATE ON command
BEGIN SELECT RAISE(ABORT, 'the command table is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER command_no_delete BEFORE DELETE ON command
BEGIN SELECT RAISE(ABORT, 'the command table is append-only: DELETE is not allowed'); END;
