"""Invitations: admins invite, resend and revoke; the invited follow their link."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from mentorship.kept import kept, kept_count_page
from mentorship.panels import pk_urls
from mentorship.ratelimits import limit_error, rate_limited
from mentorship.security import client_ip, masked, security_event
from mentorship.stamps import organization_stamp, program_stamp
from organizations import selectors
from organizations.decorators import tenant_view
from organizations.forms import AddMentorForm, InvitationForm, InvitationRegisterForm, InvitationUploadForm
from organizations.models import Invitation, InvitationStatus, Program, Role
from organizations.services import invitations as service
from organizations.services.memberships import mentor_add_directly
from organizations.sso.routing import sso_for_email

PAGE_SIZE = 25


def _list_url(request: HttpRequest) -> str:
    if request.program:
        return redirect("organizations:program_invitations", request.organization.slug, request.program.slug).url
    return redirect("organizations:invitations", request.organization.slug).url


def _invitation_form(request: HttpRequest, data=None) -> InvitationForm:
    programs = None if request.program else Program.objects.filter(organization=request.organization)
    return InvitationForm(data, programs=programs)


def _render_list(request: HttpRequest, form=None, upload_form=None, report=None, saved=None, status=200):
    # A program's invitations are its rows: their count is kept under its stamp (read before them); the
    # organization's, under the organization's (its programs' and its own rows); a search's is counted.
    stamp = forms_stamp = (
        program_stamp(request.program) if request.program else organization_stamp(request.organization)
    )
    search = request.GET.get("q", "").strip()[:100]
    # Who invited is not listed; the program is, on the organization's list only.
    invitations = selectors.invitations_for(request.organization, request.program).select_related(None)
    if not request.program:
        invitations = invitations.select_related("program")
    if search:
        invitations = invitations.filter(email__icontains=search)
    if request.program:
        key = f"program-invitations:{request.program.pk}"
    else:
        key = f"organization-invitations:{request.organization.pk}"
    stamp = None if search else stamp
    page = kept_count_page(stamp, key, invitations, PAGE_SIZE, request.GET.get("page"))
    # The page's rows too, in this process (each view works out which have expired since).
    rows = kept(stamp, f"{key}:rows:{page.number}", lambda: list(page.object_list), shared=False)
    blank = form is None and upload_form is None
    form, upload_form = form or _invitation_form(request), upload_form or InvitationUploadForm()
    context = {
        "invitations": rows,
        "rows": _invitation_rows(request, rows),
        "page": page,
        "search": search,
        "form": form,
        "upload_form": upload_form,
        # Both forms, empty, are the same for every admin: their fields rendered once a process for the
        # stamp (the organization's programs, for its list) and the language.
        "fields": _blank_fields(request, forms_stamp, form, upload_form) if blank else None,
        "report": report,
        "saved": saved,
    }
    return render(request, "organizations/invitations.html", context, status=status)


def _blank_fields(request: HttpRequest, stamp: str | None, form, upload_form) -> tuple[str, str]:
    def render() -> tuple[str, str]:
        return (
            render_to_string("partials/form.html", {"form": form}),
            render_to_string("partials/form.html", {"form": upload_form}),
        )

    program = request.program.pk if request.program else ""
    key = f"invitation-forms:{request.organization.pk}:{program}:{translation.get_language()}"
    return kept(stamp, key, render, shared=False)


def _invitation_rows(request: HttpRequest, invitations) -> SafeString:
    """The list's rows, as the template wrote them, in one pass of Python: a row's twenty-odd template nodes
    ({% url %} twice, three {% blocktranslate %}, two dates, the choices' labels) took 1.5 ms of the page's 60
    each. Words are translated and URLs reversed once a page; every value is escaped (``e``)."""
    e = conditional_escape
    organization = request.organization.slug
    if request.program:
        resend = pk_urls("organizations:program_invitation_resend", organization, request.program.slug)
        revoke = pk_urls("organizations:program_invitation_revoke", organization, request.program.slug)
    else:
        resend = pk_urls("organizations:invitation_resend", organization)
        revoke = pk_urls("organizations:invitation_revoke", organization)
    roles = {value: e(label) for value, label in Role.choices}
    states = {value: e(label) for value, label in InvitationStatus.choices}
    badges = {InvitationStatus.ACCEPTED: "ok", InvitationStatus.PENDING: ""}
    csrf = csrf_input(request)
    resend_word, revoke_word = e(_("Resend")), e(_("Revoke"))
    resend_to, revoke_to = _("Resend to %(email)s"), _("Revoke the invitation to %(email)s")
    now, zone = timezone.now(), timezone.get_current_timezone()

    def when(moment) -> str:  # the template's |date:"Y-m-d H:i", in the current time zone
        return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    rows = []
    for invitation in invitations:
        email, pk = e(invitation.email), invitation.pk
        expired = invitation.status == InvitationStatus.PENDING and invitation.expires_at <= now
        state = InvitationStatus.EXPIRED if expired else invitation.status
        program = ""
        if not request.program:  # the template's {{ invitation.program.name|default:"—" }}
            program = f"<td>{e(getattr(invitation.program, 'name', '')) or '—'}</td>"
        sent = when(invitation.sent_at)
        if (n := invitation.send_count) > 1:
            sent += f" ({ngettext('%(n)s time', '%(n)s times', n) % {'n': n}})"
        expires, actions = "—", ""
        if invitation.status == InvitationStatus.PENDING:
            expires = when(invitation.expires_at)
            actions = (
                f'<form method="post" class="inline">{csrf}<button type="submit" class="secondary" '
                f'formaction="{resend(pk)}" aria-label="{resend_to % {"email": email}}">'
                f"{resend_word}</button>\n"
                f'<button type="submit" class="danger" formaction="{revoke(pk)}" '
                f'aria-label="{revoke_to % {"email": email}}">{revoke_word}</button></form>'
            )
        rows.append(
            f"<tr><td>{email}</td><td>{roles.get(invitation.role) or e(invitation.role)}</td>{program}"
            f'<td><span class="badge {badges.get(state, "warn")}">{states[state]}</span></td>'
            f'<td>{sent}</td><td>{expires}</td><td class="row-actions">{actions}</td></tr>'
        )
    # Every value above is escaped or is a fixed string, a URL reversed here, or a number.
    return mark_safe("\n".join(rows))  # nosec B308 B703


@tenant_view(perm="organizations.manage_invitations")
@require_http_methods(["GET", "HEAD", "POST"])
def invitations(request: HttpRequest, organization: str, program: str | None = None) -> HttpResponse:
    if request.method != "POST":
        return _render_list(request)
    form = _invitation_form(request, request.POST)
    if not form.is_valid():
        return _render_list(request, form=form)
    if limited := limit_error(request, "invitation_send"):
        form.add_error(None, limited)
        return _render_list(request, form=form, status=429)
    try:
        invitation, created = service.invitation_issue(
            organization=request.organization,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            program=request.program or form.cleaned_data.get("program"),
            invited_by=request.user,
        )
    except service.InvitationError as error:
        form.add_error("email", error.message)
        return _render_list(request, form=form)
    text = (
        _("Invitation sent to %(email)s.")
        if created
        else _("The pending invitation to %(email)s was renewed and sent again.")
    )
    messages.success(request, text % {"email": invitation.email})
    return redirect(_list_url(request))


@tenant_view(perm="organizations.manage_invitations")
@require_POST
def invitations_upload(request: HttpRequest, organization: str, program: str | None = None) -> HttpResponse:
    upload_form = InvitationUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _render_list(request, upload_form=upload_form)
    if limited := limit_error(request, "invitation_upload"):
        upload_form.add_error(None, limited)
        return _render_list(request, upload_form=upload_form, status=429)
    try:
        saved, report = service.invitations_import(
            upload=upload_form.cleaned_data["file"],
            organization=request.organization,
            program=request.program,
            invited_by=request.user,
        )
    except service.InvitationError as error:
        upload_form.add_error("file", error.message)
        return _render_list(request, upload_form=upload_form)
    return _render_list(request, report=report, saved=saved)


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    return get_object_or_404(selectors.invitations_for(request.organization, request.program), pk=pk)


def _act_on_invitation(request: HttpRequest, pk: int, act: Callable[..., Invitation], done: str) -> HttpResponse:
    invitation = _invitation(request, pk)
    try:
        act(invitation=invitation)
        messages.success(request, done % {"email": invitation.email})
    except service.InvitationError as error:
        messages.error(request, error.message)
    return redirect(_list_url(request))


@tenant_view(perm="organizations.manage_invitations")
@require_POST
@rate_limited("invitation_resend")
def invitation_resend(request: HttpRequest, organization: str, pk: int, program: str | None = None) -> HttpResponse:
    return _act_on_invitation(request, pk, service.invitation_resend, _("The invitation to %(email)s was sent again."))


@tenant_view(perm="organizations.manage_invitations")
@require_POST
def invitation_revoke(request: HttpRequest, organization: str, pk: int, program: str | None = None) -> HttpResponse:
    return _act_on_invitation(request, pk, service.invitation_revoke, _("The invitation to %(email)s was revoked."))


@tenant_view(perm="organizations.manage_organization")
@require_http_methods(["GET", "HEAD", "POST"])
def mentor_add(request: HttpRequest, organization: str) -> HttpResponse:
    programs = Program.objects.filter(organization=request.organization)
    form = AddMentorForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        if limited := limit_error(request, "invitation_send"):
            form.add_error(None, limited)
            return render(request, "organizations/mentor_add.html", {"form": form}, status=429)
        mentor_add_directly(organization=request.organization, **form.cleaned_data)
        messages.success(
            request, _("%(email)s is now a mentor; we emailed them.") % {"email": form.cleaned_data["email"]}
        )
        return redirect("organizations:members", organization=request.organization.slug)
    return render(request, "organizations/mentor_add.html", {"form": form})


# The pages behind an invitation link. The token is the capability; GET only shows.


def _invitation_for_token(token: str) -> Invitation:
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        # A renewed invitation's old link, or a made-up one; never the token in the log.
        security_event("link_reuse", kind="invitation", reason="unknown")
        raise Http404
    return invitation


def _problem(invitation: Invitation, user) -> service.InvitationError | None:
    try:
        service.check_usable(invitation, user if user.is_authenticated else None)
    except service.InvitationError as error:
        return error
    return None


def _destination(invitation: Invitation) -> str:
    if invitation.program_id:
        return redirect("portal:program", invitation.organization.slug, invitation.program.slug).url
    return redirect("organizations:detail", invitation.organization.slug).url


GONE = {"expired", "revoked", "used"}


def invitation_show(request: HttpRequest, token: str, form: InvitationRegisterForm | None = None) -> HttpResponse:
    """What the link is for, and one button: accept, or register; or what went wrong and what to do."""
    invitation = _invitation_for_token(token)
    problem = _problem(invitation, request.user)
    sso = _organization_sso(invitation)
    if form is None and problem is None and not request.user.is_authenticated and not (sso and sso.required):
        form = InvitationRegisterForm(email=invitation.email)
    login_url = f"{redirect('account_login').url}?{urlencode({'next': request.path})}"
    context = {
        "invitation": invitation,
        "problem": problem,
        "form": form,
        "token": token,
        "login_url": login_url,
        "sso": sso,
    }
    if problem is not None:
        _log_problem(request, invitation, problem)
    status = 410 if problem and problem.code in GONE else 200
    return render(request, "organizations/invitation_show.html", context, status=status)


def _log_problem(request: HttpRequest, invitation: Invitation, problem: service.InvitationError) -> None:
    """A used, expired or withdrawn link opened again, or opened by another account: a security event."""
    user = request.user.pk if request.user.is_authenticated else ""
    fields = {"invitation": invitation.pk, "organization": invitation.organization.slug, "user": user}
    if problem.code == "wrong_account":
        security_event(
            "invitation_email_mismatch",
            invited=masked(invitation.email),
            signed_in_as=masked(request.user.email),
            ip=client_ip(request),
            **fields,
        )
    elif problem.code in GONE:
        security_event("link_reuse", kind="invitation", reason=problem.code, ip=client_ip(request), **fields)


def _organization_sso(invitation):
    """The inviting organization's switched-on single sign-on, when the invited address is of its domains."""
    sso = sso_for_email(invitation.email)
    return sso if sso is not None and sso.organization_id == invitation.organization_id else None


@require_POST
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation_for_token(token)
    if not request.user.is_authenticated:
        return redirect("invitations:show", token=token)
    accepted_before = invitation.status == InvitationStatus.ACCEPTED and invitation.accepted_by_id == request.user.pk
    try:
        service.invitation_accept(invitation=invitation, user=request.user)
    except service.InvitationError:
        return invitation_show(request, token)
    if accepted_before:
        messages.info(request, _("You accepted this invitation already."))
    else:
        messages.success(request, _("Welcome to %(name)s!") % {"name": invitation.sender_name})
    return redirect(_destination(invitation))


@require_POST
def invitation_register(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation_for_token(token)
    if request.user.is_authenticated:
        return redirect("invitations:show", token=token)
    sso = _organization_sso(invitation)
    if sso is not None and sso.required:  # accepted through single sign-on only (the same address)
        return redirect("invitations:show", token=token)
    form = InvitationRegisterForm(request.POST, email=invitation.email)
    if not form.is_valid():
        return invitation_show(request, token, form=form)
    try:
        user, _membership = service.invitation_register(
            invitation=invitation, data=form.cleaned_data, password=form.cleaned_data["password1"]
        )
    except service.InvitationError as error:
        form.add_error(None, error.message)
        return invitation_show(request, token, form=form)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Welcome to %(name)s!") % {"name": invitation.sender_name})
    return redirect(_destination(invitation))
