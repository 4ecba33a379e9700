"""Every write to organizations, programs, memberships, onboarding and invitations."""
