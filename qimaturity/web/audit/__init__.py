"""The audit log: every admin action, who did it, when, and to which object."""
