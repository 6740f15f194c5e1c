-- Signed checkpoints, SQLite flavour of migrations/postgres/0003_checkpoint.sql (same columns
-- and rules). Times are RFC 3339 text in UTC.
CREATE TABLE checkpoint (
    key_id     TEXT    NOT NULL,
    tree_size  INTEGER NOT NULL CHECK (tree_size >= 0),
    root_hash  TEXT    NOT NULL,
    signed_at  TEXT    NOT NULL,
    note       TEXT    NOT NULL,
    PRIMARY KEY (key_id, tree_size)
);

CREATE TRIGGER checkpoint_no_update BEFORE UPDATE ON checkpoint
BEGIN SELECT RAISE(ABORT, 'the checkpoint table is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER checkpoint_no_delete BEFORE DELETE ON checkpoint
BEGIN SELECT RAISE(ABORT, 'the checkpoint table is append-only: DELETE is not allowed'); END;
