"""Mail in and out of the committee's mailbox: templates, SMTP sender, IMAP poller."""
