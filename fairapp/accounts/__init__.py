"""Users, organizations, memberships, invitations; sign-up, login, confirmation, password reset."""
