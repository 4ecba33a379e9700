from organizations.models.invitations import Invitation, InvitationStatus
from organizations.models.onboarding import AccessRequest, AccessStatus, OnboardingSignup, OnboardingSlot
from organizations.models.sso import DomainVerification, EmailDomain, SingleSignOn, SsoProtocol
from organizations.models.tenancy import (
    Group,
    Membership,
    MentoringFormat,
    Organization,
    Program,
    ReviewStatus,
    Role,
)

__all__ = [
    "AccessRequest",
    "AccessStatus",
    "DomainVerification",
    "EmailDomain",
    "Group",
    "Invitation",
    "InvitationStatus",
    "Membership",
    "MentoringFormat",
    "OnboardingSignup",
    "OnboardingSlot",
    "Organization",
    "Program",
    "ReviewStatus",
    "Role",
    "SingleSignOn",
    "SsoProtocol",
]
