-- The large JSON values are compressed with lz4 instead of PostgreSQL's default, pglz, where
-- the server has lz4 (PostgreSQL 14 on, built with it, as Debian's and the official images
-- are). A baseline's plan is up to 25 KB: it is stored once as its event's payload and three
-- times in the read models (the baseline, the current plan and plan version 0), each
-- compressed as it is written and decompressed as it is read. Rebuilding a log of 3,000
-- proposals, PostgreSQL spent 4.2 s of 6.6 s compressing those plans with pglz; with lz4 the
-- rebuild took 3.3-4.6 s (docs/benchmarks.md). Small values (an entry's fact, most events)
-- are never compressed and are unchanged. Values already stored keep their compression; both
-- read the same.
-- A server without lz4 (or older than 14, which has no per-column compression) keeps pglz:
-- the same data, more slowly. Only the table's owner runs this (`gevinst migrate`).
DO $$
BEGIN
    EXECUTE 'ALTER TABLE event ALTER COLUMN payload SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE rm_proposal ALTER COLUMN baseline_plan SET COMPRESSION lz4, '
        'ALTER COLUMN current_plan SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE rm_plan_version ALTER COLUMN plan SET COMPRESSION lz4';
EXCEPTION WHEN syntax_error OR feature_not_supported THEN
    RAISE NOTICE 'lz4 is not available on this server: large values stay compressed with pglz';
END
$$;
