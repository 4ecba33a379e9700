from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentorship.stamps import bump_programs
from organizations.models import (
    AccessRequest,
    EmailDomain,
    Group,
    Invitation,
    InvitationStatus,
    Membership,
    OnboardingSignup,
    OnboardingSlot,
    Organization,
    Program,
    SingleSignOn,
)
from organizations.services import invitations, onboarding
from organizations.services.onboarding import OnboardingError
from organizations.services.retention import organization_delete, organization_erase, organization_restore
from organizations.sso import services as sso_services


class ProgramInline(admin.TabularInline):
    model = Program
    fields = ["name", "slug", "status", "is_live"]
    extra = 0
    show_change_link = True


class DeletedFilter(admin.SimpleListFilter):
    title = _("deletion")
    parameter_name = "deletion"

    def lookups(self, request, model_admin):
        return [("present", _("Present")), ("deleted", _("Deleted, restorable"))]

    def queryset(self, request, queryset):
        if self.value() in ("present", "deleted"):
            return queryset.filter(deleted_at__isnull=self.value() == "present")
        return queryset


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "status",
        "default_language",
        "admin_email",
        "submitted_at",
        "reviewed_at",
        "erase_after",
    ]
    list_filter = [DeletedFilter, "status", "default_language", "submitted_at"]
    search_fields = ["name", "slug", "admin_email", "contact_email", "contact_name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["submitted_at", "reviewed_at", "reviewed_by", "deleted_at", "erase_after"]
    date_hierarchy = "submitted_at"
    inlines = [ProgramInline]
    actions = ["delete_restorably", "restore", "erase_now"]

    @admin.action(description=_("Delete, restorable for 30 days"))
    def delete_restorably(self, request, queryset):
        for organization in queryset.filter(deleted_at__isnull=True):
            organization_delete(organization=organization)
        self.message_user(request, _("Deleted; it can be restored until the date in “erased after”."))

    @admin.action(description=_("Restore"))
    def restore(self, request, queryset):
        restored = sum(organization_restore(organization=organization) for organization in queryset)
        self.message_user(
            request, ngettext("%d organization restored.", "%d organizations restored.", restored) % restored
        )

    @admin.action(description=_("Erase now with all its data (deleted organizations only)"))
    def erase_now(self, request, queryset):
        ids = list(queryset.filter(deleted_at__isnull=False).values_list("pk", flat=True))
        erased = sum(organization_erase(organization_id=pk) for pk in ids)
        self.message_user(request, ngettext("%d organization erased.", "%d organizations erased.", erased) % erased)
        if skipped := queryset.filter(deleted_at__isnull=True).count():
            self.message_user(
                request, _("Not erased: %d not deleted first (delete, then erase).") % skipped, messages.WARNING
            )


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "status", "is_live", "mentoring_format", "expected_size", "created_at"]
    list_filter = [
        "status",
        "is_live",
        "mentoring_format",
        "ranked_matching_enabled",
        "autopairing_enabled",
        "organization",
    ]
    search_fields = ["name", "slug", "organization__name", "admin_email"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["settings_changed_at", "settings_changed_by"]
    # The groups of the program's settings page (its pairing-life and request settings have their own admins).
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "organization",
                    ("name", "slug"),
                    "description",
                    "audience",
                    "mentoring_format",
                    "languages",
                    "expected_size",
                    "admin_email",
                ]
            },
        ),
        ("Review", {"fields": ["status", "rejection_reason", "submitted_by", "reviewed_at", "is_live"]}),
        (
            "Which flows are on",
            {
                "fields": [
                    "ranked_matching_enabled",
                    "mentee_requests_enabled",
                    "mentor_offers_enabled",
                    "self_booking_enabled",
                    "autopairing_enabled",
                ]
            },
        ),
        (
            "Ranked selection",
            {"fields": ["max_choices", "response_days", "reminder_enabled", "reminder_hours"]},
        ),
        (
            "Recommendations and capacities",
            {"fields": ["recommendations_count", "default_capacity", "max_capacity"]},
        ),
        ("Cycle", {"fields": ["cycle_starts_on", "cycle_ends_on"]}),
        ("Last change of the settings", {"fields": ["settings_changed_at", "settings_changed_by"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization", "program", "capacity", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__email", "user__full_name", "organization__name", "program__name"]
    list_select_related = ["user", "organization", "program"]
    autocomplete_fields = ["user", "organization", "program"]
    filter_horizontal = ["groups"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "program"]
    list_filter = ["program__organization"]
    search_fields = ["name", "program__name"]
    list_select_related = ["program"]
    autocomplete_fields = ["program"]


def _review_action(review: Callable, approve: bool, description: str):
    """An admin action that runs a review service on each selected row, with a reason page for rejections."""

    def action(modeladmin, request, queryset):
        reason = request.POST.get("reason", "")
        if not approve and "apply" not in request.POST:
            context = {
                **modeladmin.admin_site.each_context(request),
                "queryset": queryset,
                "action": request.POST["action"],
                "title": description,
                "opts": modeladmin.model._meta,
            }
            return render(request, "admin/organizations/reason.html", context)
        done = 0
        for obj in queryset:
            try:
                review(obj, request.user, approve, reason)
                done += 1
            except OnboardingError as error:
                modeladmin.message_user(request, f"{obj}: {error}", messages.WARNING)
        modeladmin.message_user(request, f"{done} reviewed.", messages.SUCCESS)
        return None

    action.__name__ = f"{'approve' if approve else 'reject'}_{review.__name__}"
    action.short_description = description
    return action


def _review_organization(obj, user, approve, reason):
    onboarding.organization_review(organization=obj, by=user, approve=approve, reason=reason)


def _review_program(obj, user, approve, reason):
    onboarding.program_review(program=obj, by=user, approve=approve, reason=reason)


def _review_access(obj, user, approve, reason):
    onboarding.access_review(access_request=obj, by=user, grant=approve, reason=reason)


OrganizationAdmin.actions = [
    _review_action(_review_organization, True, "Approve (email the administrator a registration link)"),
    _review_action(_review_organization, False, "Reject with a reason"),
    *OrganizationAdmin.actions,
]
ProgramAdmin.actions = [
    _review_action(_review_program, True, "Approve"),
    _review_action(_review_program, False, "Reject with a reason"),
]


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ["program", "organization", "status", "admin_email", "requested_at", "reviewed_at"]
    list_filter = ["status", "requested_at"]
    search_fields = ["program__name", "organization__name", "admin_email", "admin_name"]
    list_select_related = ["program", "organization"]
    raw_id_fields = ["program", "organization", "requested_by", "reviewed_by"]
    actions = [
        _review_action(_review_access, True, "Grant access (email the program administrator)"),
        _review_action(_review_access, False, "Deny access with a reason"),
    ]


class SignupInline(admin.TabularInline):
    model = OnboardingSignup
    extra = 0
    raw_id_fields = ["organization", "signed_up_by"]


@admin.register(OnboardingSlot)
class OnboardingSlotAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "duration_minutes", "capacity", "signup_count", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["location", "notes"]
    date_hierarchy = "starts_at"
    inlines = [SignupInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(signup_total=Count("signups"))

    @admin.display(description="signed up", ordering="signup_total")
    def signup_count(self, obj):
        return obj.signup_total


@admin.register(OnboardingSignup)
class OnboardingSignupAdmin(admin.ModelAdmin):
    list_display = ["organization", "slot", "signed_up_by", "created_at"]
    search_fields = ["organization__name"]
    list_select_related = ["organization", "slot", "signed_up_by"]
    raw_id_fields = ["organization", "slot", "signed_up_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "organization", "program", "status", "expires_at", "send_count", "created_at"]
    list_filter = ["status", "role", "organization"]
    search_fields = ["email", "organization__name", "program__name"]
    list_select_related = ["organization", "program"]
    raw_id_fields = ["organization", "program", "invited_by", "accepted_by"]
    readonly_fields = ["token_hash", "created_at", "sent_at", "send_count", "accepted_at", "accepted_by", "revoked_at"]
    actions = ["resend", "revoke", "expire_now"]

    @admin.action(description="Resend (new link, new expiry)")
    def resend(self, request, queryset):
        for invitation in queryset.filter(status=InvitationStatus.PENDING):
            invitations.invitation_resend(invitation=invitation)
        self.message_user(request, "Pending invitations sent again.", messages.SUCCESS)

    @admin.action(description="Revoke")
    def revoke(self, request, queryset):
        for invitation in queryset.filter(status=InvitationStatus.PENDING):
            invitations.invitation_revoke(invitation=invitation)
        self.message_user(request, "Pending invitations revoked.", messages.SUCCESS)

    @admin.action(description="Expire now")
    def expire_now(self, request, queryset):
        count = queryset.filter(status=InvitationStatus.PENDING).update(expires_at=timezone.now())
        bump_programs(queryset.values_list("program_id", flat=True))  # an update sends no signal
        self.message_user(request, f"{count} invitations expired.", messages.SUCCESS)


@admin.register(SingleSignOn)
class SingleSignOnAdmin(admin.ModelAdmin):
    """Platform staff's view of an organization's single sign-on (the IdP side is the allauth SocialApp)."""

    list_display = ["organization", "protocol", "enabled", "required", "allow_jit", "tested_at"]
    list_filter = ["protocol", "enabled", "required"]
    raw_id_fields = ["organization", "app"]
    readonly_fields = ["tested_at", "last_test_ok", "last_test_result", "updated_at"]


class VerifiedFilter(admin.SimpleListFilter):
    title = "verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", "Verified"), ("no", "Not verified")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


@admin.register(EmailDomain)
class EmailDomainAdmin(admin.ModelAdmin):
    """Organizations' claimed email domains. A claim routes, requires or creates nothing until verified."""

    list_display = ["domain", "organization", "verified_at", "verified_by", "created_at"]
    list_filter = [VerifiedFilter, "verified_by"]
    search_fields = ["domain", "organization__name", "organization__slug"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]
    readonly_fields = ["verification_token", "verified_at", "verified_by", "created_at"]
    actions = ["mark_verified", "check_dns", "unverify"]

    def _each(self, request, queryset, verify) -> None:
        done, refused = 0, []
        for claim in queryset.select_related("organization"):
            try:
                verify(claim=claim)
                done += 1
            except sso_services.SsoError as error:
                refused.append(f"{claim.domain} ({claim.organization}): {error.message}")
        if done:
            self.message_user(request, f"{done} domains verified.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description="Mark as verified (checked by platform staff)")
    def mark_verified(self, request, queryset):
        self._each(request, queryset, sso_services.domain_mark_verified)

    @admin.action(description="Check the DNS record now")
    def check_dns(self, request, queryset):
        self._each(request, queryset, sso_services.domain_verify_dns)

    @admin.action(description="Withdraw verification")
    def unverify(self, request, queryset):
        count = queryset.update(verified_at=None, verified_by="")
        self.message_user(request, f"{count} domains no longer verified.", messages.SUCCESS)
