-- The position of the last event that changed a proposal row's registration, baseline or
-- current plan (everything but how far its stream is projected). Reads keep rows they have
-- fetched and, while this is unchanged, fetch only the small columns that move with every
-- command, not the plans' JSON (some kilobytes a proposal, stored compressed on PostgreSQL).
-- Rows projected before this migration keep 0 until their next such change, which sets it.
ALTER TABLE rm_proposal ADD COLUMN changed_position INTEGER NOT NULL DEFAULT 0;
