-- The event store. One row per event, never updated or deleted (see the trigger below).
-- `position` is the global commit order: appends take a transaction-scoped advisory lock, read
-- MAX(position) and insert position+1.., so positions are gapless and follow commit order.
-- `prev_hash`/`hash` chain each stream; see domain/src/chain.rs for the canonical encoding.
CREATE TABLE event (
    position        BIGINT      PRIMARY KEY CHECK (position >= 1),
    event_id        UUID        NOT NULL UNIQUE,
    aggregate_type  TEXT        NOT NULL,
    stream_id       TEXT        NOT NULL,
    sequence        BIGINT      NOT NULL CHECK (sequence >= 1),
    event_type      TEXT        NOT NULL,
    event_version   TEXT        NOT NULL,
    payload         JSONB       NOT NULL,
    metadata        JSONB       NOT NULL,
    actor           TEXT        NOT NULL,
    role            TEXT        NOT NULL,
    effective_date  DATE,
    idempotency_key TEXT        NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    prev_hash       TEXT        NOT NULL,
    hash            TEXT        NOT NULL,
    UNIQUE (aggregate_type, stream_id, sequence)
);

CREATE INDEX event_stream_idempotency_idx ON event (aggregate_type, stream_id, idempotency_key);

-- One row per accepted command: makes a retried command (same idempotency key) return the
-- first outcome instead of appending again. The key is unique per proposal.
CREATE TABLE command (
    aggregate_type  TEXT        NOT NULL,
    stream_id       TEXT        NOT NULL,
    idempotency_key TEXT        NOT NULL,
    fingerprint     TEXT        NOT NULL,
    first_sequence  BIGINT      NOT NULL,
    last_sequence   BIGINT      NOT NULL,
    first_position  BIGINT      NOT NULL,
    last_position   BIGINT      NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (aggregate_type, stream_id, idempotency_key)
);

CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the % table is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
END
$$;

CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER command_append_only BEFORE UPDATE OR DELETE ON command
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER command_no_truncate BEFORE TRUNCATE ON command
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
