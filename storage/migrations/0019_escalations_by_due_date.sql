-- An escalation's rank is now its due date's (a head is told once for each day its units fell
-- due, domain/reminders.py). One queued before said "told" for every day of its occurrence: it
-- keeps doing so, and nobody is told twice of what they were told before.
UPDATE reminder_batches SET rank = 2147483647 WHERE kind = 'escalate';
