from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_save

        from organizations.models.tenancy import copy_name_to_memberships

        post_save.connect(
            copy_name_to_memberships, sender=settings.AUTH_USER_MODEL, dispatch_uid="membership_sort_name"
        )
        from organizations import tasks  # noqa: F401  (registers the erasure sweep of the beat)
        from organizations.sso import signals  # noqa: F401  (staff without a second factor are told)
