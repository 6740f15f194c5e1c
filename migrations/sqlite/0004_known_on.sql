-- Two times: every read-model row says when the event that made it was recorded, so a report
-- can show exactly what the log held at a recorded time (`known_on`): a proposal registered
-- later does not exist yet, the plan in force is the newest version recorded by then, and a
-- correction recorded later has not happened yet. Columns are identical on both backends.

-- When (and where in the global order) the proposal was registered.
ALTER TABLE rm_proposal ADD COLUMN registered_at TEXT NOT NULL DEFAULT '';
ALTER TABLE rm_proposal ADD COLUMN registered_position BIGINT NOT NULL DEFAULT 0;

-- The global position of the correction that voided an entry (its sequence is `corrected_by`,
-- its recorded time `corrected_at`).
ALTER TABLE rm_entry ADD COLUMN corrected_position BIGINT;

-- Every plan version: revision 0 is the adopted baseline (with its source), 1… the revisions.
CREATE TABLE rm_plan_version (
    proposal_id TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    sequence    BIGINT  NOT NULL,
    position    BIGINT  NOT NULL,
    recorded_at TEXT    NOT NULL,
    plan        TEXT    NOT NULL,
    source      TEXT,
    PRIMARY KEY (proposal_id, revision)
);

-- Rows projected before this migration lack the new columns: empty the read models and let
-- the catch-up projector rebuild them from the log (the events are the truth).
DELETE FROM rm_entry;
DELETE FROM rm_plan_amount;
DELETE FROM rm_proposal;
UPDATE projection_checkpoint SET position = 0 WHERE projection = 'read_models';
