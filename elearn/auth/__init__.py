"""Sign-in, invitations, password reset and role checks."""
