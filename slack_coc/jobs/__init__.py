"""Due work: outbox delivery, reminders and escalations, mailbox poll, retention."""
