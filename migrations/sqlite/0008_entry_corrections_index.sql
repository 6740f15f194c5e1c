-- A report reads a proposal's entries once and then only what changed: those after a
-- sequence (the primary key) and those a later event corrected (this index).
CREATE INDEX rm_entry_corrected_idx ON rm_entry (proposal_id, corrected_by);
