-- Read-model columns that nothing read go (issue 11): a read model holds what a report, a page
-- or the access policy reads, nothing more, so each event writes less and a rebuild is quicker.
-- - rm_plan_amount: the plans are read from rm_proposal's plan JSON and rm_plan_version; the
--   per-year amount rows were only ever compared in tests.
-- - rm_proposal kind, political_priority, budget_round, price_level: the reports read them
--   from the identity JSON beside them.
-- - rm_entry note, evidence, at_risk, role: shown from the fact JSON (role: from the event).
-- The same statements on both backends (SQLite 3.35+ drops columns); the data is derived, so
-- nothing is lost: `gevinst projections rebuild` writes exactly these columns again.
DROP TABLE rm_plan_amount;

ALTER TABLE rm_proposal DROP COLUMN kind;
ALTER TABLE rm_proposal DROP COLUMN political_priority;
ALTER TABLE rm_proposal DROP COLUMN budget_round;
ALTER TABLE rm_proposal DROP COLUMN price_level;

ALTER TABLE rm_entry DROP COLUMN note;
ALTER TABLE rm_entry DROP COLUMN evidence;
ALTER TABLE rm_entry DROP COLUMN at_risk;
ALTER TABLE rm_entry DROP COLUMN role;
