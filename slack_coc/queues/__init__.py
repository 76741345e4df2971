"""Queue plumbing: the inbox of stored requests, the outbox of intents, once-only keys,
claims and the SQLite writer. No rule of the working group's process lives here."""
