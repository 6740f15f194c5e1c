-- Read models: derived entirely from the event log by the catch-up projector
-- (projections/src/readmodel). They may be dropped and rebuilt at any time
-- (`gevinst projections rebuild`); the events are the truth. Amounts are decimal text
-- (exact on both backends); dates are ISO text; times are RFC 3339 UTC text.

-- How far each projection has applied the global order. Written in the same transaction as
-- the read-model rows it covers, so a crash can never leave them apart.
CREATE TABLE projection_checkpoint (
    projection TEXT    PRIMARY KEY,
    position   BIGINT  NOT NULL
);
INSERT INTO projection_checkpoint (projection, position) VALUES ('read_models', 0);

-- One row per proposal: identity, and the baseline and current plan as JSON.
CREATE TABLE rm_proposal (
    proposal_id        TEXT    PRIMARY KEY,
    title              TEXT    NOT NULL,
    kind               TEXT    NOT NULL,
    committee          TEXT    NOT NULL,
    confidential       BOOLEAN NOT NULL,
    political_priority BOOLEAN NOT NULL,
    budget_round       TEXT    NOT NULL,
    price_level        INTEGER NOT NULL,
    identity           TEXT    NOT NULL,
    baseline_plan      TEXT,
    baseline_source    TEXT,
    current_plan       TEXT,
    revision           INTEGER NOT NULL,
    last_sequence      BIGINT  NOT NULL,
    last_position      BIGINT  NOT NULL
);

-- Every plan amount, for the original baseline and the plan in force.
CREATE TABLE rm_plan_amount (
    proposal_id  TEXT    NOT NULL,
    plan         TEXT    NOT NULL CHECK (plan IN ('baseline', 'current')),
    line_id      TEXT    NOT NULL,
    year         INTEGER NOT NULL,
    section      TEXT    NOT NULL,
    control_area TEXT    NOT NULL,
    committee    TEXT,
    amount       TEXT    NOT NULL,
    PRIMARY KEY (proposal_id, plan, line_id, year)
);

-- Every progress and money entry; corrections mark the corrected entry and (when
-- superseding) add the replacement as a new entry that points back at it.
CREATE TABLE rm_entry (
    proposal_id       TEXT    NOT NULL,
    sequence          BIGINT  NOT NULL,
    position          BIGINT  NOT NULL,
    kind              TEXT    NOT NULL,
    subject           TEXT,
    year              INTEGER,
    amount            TEXT,
    price_level       INTEGER,
    control_area      TEXT,
    plan_line         TEXT,
    committee         TEXT,
    section           TEXT,
    effective_date    TEXT    NOT NULL,
    note              TEXT,
    evidence          TEXT,
    at_risk           BOOLEAN NOT NULL,
    fact              TEXT    NOT NULL,
    actor             TEXT    NOT NULL,
    role              TEXT    NOT NULL,
    recorded_at       TEXT    NOT NULL,
    corrects          BIGINT,
    corrected_by      BIGINT,
    correction_reason TEXT,
    corrected_at      TEXT,
    PRIMARY KEY (proposal_id, sequence)
);

CREATE INDEX rm_entry_kind_idx ON rm_entry (kind, proposal_id);
