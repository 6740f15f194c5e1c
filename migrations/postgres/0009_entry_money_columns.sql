-- The money columns of rm_entry go (issue 11: "unused read-model columns go, or something reads
-- them"). Nothing read them: every report takes an entry's year, amount, price level, control
-- area, plan line, committee and section from its fact, which the reads keep decoded
-- (`readmodel/entries.rs`), and the amount as text could not be summed exactly in SQL on SQLite
-- anyway. An entry row keeps what is filtered or joined on (proposal, sequence, kind, subject,
-- business date, corrections) and the fact itself. If reports are one day summed in SQL, an
-- exact integer column (whole kroner) is the form to add, not these.
-- The same statements on both backends (SQLite 3.35+ drops columns); the data is derived, so
-- nothing is lost.
ALTER TABLE rm_entry DROP COLUMN year;
ALTER TABLE rm_entry DROP COLUMN amount;
ALTER TABLE rm_entry DROP COLUMN price_level;
ALTER TABLE rm_entry DROP COLUMN control_area;
ALTER TABLE rm_entry DROP COLUMN plan_line;
ALTER TABLE rm_entry DROP COLUMN committee;
ALTER TABLE rm_entry DROP COLUMN section;
