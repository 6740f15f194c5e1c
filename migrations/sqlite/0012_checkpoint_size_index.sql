-- The newest stored checkpoint, whatever its key: each time a process reads the log's Merkle
-- tree from the start it checks the log still begins with what that checkpoint covered before
-- it signs anything (store/src/checkpoint.rs, `read_into`). Without this index that look-up
-- reads the whole table, one row per receipt handed out.
CREATE INDEX checkpoint_size_idx ON checkpoint (tree_size);
