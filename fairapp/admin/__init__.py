"""Admin pages that belong to no single feature: users, the mail outbox, the audit log."""
