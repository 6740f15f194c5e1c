-- PostgreSQL compresses its large JSON values with lz4 from this version (see
-- migrations/postgres/0014_lz4_compression.sql). SQLite compresses nothing; the file keeps the
-- two trees' versions in step, and changes nothing.
SELECT 1;
