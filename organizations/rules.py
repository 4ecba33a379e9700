"""Named permission predicates. ``obj`` is an Organization or a Program."""

import rules

from organizations.models import Organization, Program, Role
from organizations.selectors import tenant_roles


def _organization_and_program(obj: Organization | Program) -> tuple[Organization, Program | None]:
    if isinstance(obj, Program):
        return obj.organization, obj
    return obj, None


def _roles(user, obj) -> tuple[frozenset, Program | None]:
    if not user.is_authenticated or obj is None:
        return frozenset(), None
    organization, program = _organization_and_program(obj)
    return tenant_roles(user, organization), program


@rules.predicate
def is_platform_staff(user) -> bool:
    return user.is_authenticated and user.is_staff


@rules.predicate
def is_organization_admin(user, obj) -> bool:
    roles, _ = _roles(user, obj)
    return (None, Role.ORGANIZATION_ADMIN) in roles


@rules.predicate
def is_organization_member(user, obj) -> bool:
    roles, _ = _roles(user, obj)
    return bool(roles)


def _has_program_role(user, obj, role: str) -> bool:
    roles, program = _roles(user, obj)
    return program is not None and (program.pk, role) in roles


@rules.predicate
def is_program_admin(user, obj) -> bool:
    return _has_program_role(user, obj, Role.PROGRAM_ADMIN)


@rules.predicate
def is_mentor(user, obj) -> bool:
    return _has_program_role(user, obj, Role.MENTOR)


@rules.predicate
def is_mentee(user, obj) -> bool:
    return _has_program_role(user, obj, Role.MENTEE)


can_manage_organization = is_platform_staff | is_organization_admin
can_manage_program = can_manage_organization | is_program_admin
is_program_participant = can_manage_program | is_mentor | is_mentee

rules.add_perm("organizations.view_organization", is_platform_staff | is_organization_member)
rules.add_perm("organizations.manage_organization", can_manage_organization)
rules.add_perm("organizations.view_program", is_program_participant)
rules.add_perm("organizations.manage_program", can_manage_program)
# On an organization, its admins (a program admin holds no role there); on a program, its admins too.
rules.add_perm("organizations.manage_invitations", can_manage_program)
