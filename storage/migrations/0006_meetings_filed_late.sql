-- A meeting reported after its window closed (its month, or its quarter for a border-commune
-- branch, and the days of grace after it), confirmed by the person as a late, supplementary
-- report: counted, and shown as filed late in the digest and the export.
ALTER TABLE meetings ADD COLUMN filed_late INTEGER NOT NULL DEFAULT 0;
-- Few meetings are filed late: the digest and /baocao find them without reading the others.
CREATE INDEX meetings_filed_late ON meetings(unit_id, held_on) WHERE filed_late = 1 AND deleted_at IS NULL;
