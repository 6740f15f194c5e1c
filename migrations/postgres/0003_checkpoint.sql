-- Signed checkpoints of the global log (store/src/checkpoint.rs): the Merkle root (RFC 9162)
-- of positions 1..tree_size, signed with the log's Ed25519 key as a C2SP signed note. One row
-- per key and size; append-only like the history it anchors. `root_hash` is lower-case hex,
-- `note` the signed note exactly as issued.
CREATE TABLE checkpoint (
    key_id     TEXT        NOT NULL,
    tree_size  BIGINT      NOT NULL CHECK (tree_size >= 0),
    root_hash  TEXT        NOT NULL,
    signed_at  TIMESTAMPTZ NOT NULL,
    note       TEXT        NOT NULL,
    PRIMARY KEY (key_id, tree_size)
);

CREATE TRIGGER checkpoint_append_only BEFORE UPDATE OR DELETE ON checkpoint
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER checkpoint_no_truncate BEFORE TRUNCATE ON checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
