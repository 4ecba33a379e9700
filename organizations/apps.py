from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save, pre_save

        from organizations.models.tenancy import (
            Membership,
            Organization,
            copy_name_to_memberships,
            default_language_changed,
            membership_changes_language,
            remember_default_language,
        )

        post_save.connect(
            copy_name_to_memberships, sender=settings.AUTH_USER_MODEL, dispatch_uid="membership_sort_name"
        )
        # User.organization_language (accounts.language): kept when memberships come and go, and when an
        # organization's default language changes.
        post_save.connect(membership_changes_language, sender=Membership, dispatch_uid="membership_language_made")
        post_delete.connect(membership_changes_language, sender=Membership, dispatch_uid="membership_language_gone")
        pre_save.connect(remember_default_language, sender=Organization, dispatch_uid="organization_language_old")
        post_save.connect(default_language_changed, sender=Organization, dispatch_uid="organization_language_new")
        from organizations import tasks  # noqa: F401  (registers the erasure sweep of the beat)
        from organizations.sso import signals  # noqa: F401  (staff without a second factor are told)
