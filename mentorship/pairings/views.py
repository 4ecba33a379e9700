"""The pages of the life of a pairing: the pair's conversation, and what program admins may see of it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from matching.models import Pairing
from mentorship.pairings import selectors, services
from mentorship.pairings.forms import MessageForm
from mentorship.pairings.models import Message
from organizations.decorators import tenant_view


def own_pairing_of_url(request: HttpRequest, pk: int) -> Pairing:
    """The visitor's own pairing named by the URL; anyone else's, admins' included, is a 404."""
    pairing = get_object_or_404(selectors.pairings_of_user(request.program, request.user), pk=pk)
    pairing.program = request.program
    return pairing


def message_of_url(request: HttpRequest, pk: int) -> Message:
    """A message of one of the visitor's own pairings, or 404."""
    mine = selectors.pairings_of_user(request.program, request.user)
    message = get_object_or_404(
        Message.objects.filter(pairing__in=mine).select_related("author__user", "pairing__mentor", "pairing__mentee"),
        pk=pk,
    )
    return message


def _me(pairing: Pairing, user):
    return pairing.mentor if pairing.mentor.user_id == user.pk else pairing.mentee


@tenant_view(perm="pairings.converse", obj=own_pairing_of_url)
@require_http_methods(["GET", "HEAD", "POST"])
def conversation(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    pairing = own_pairing_of_url(request, pk)
    me = _me(pairing, request.user)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_post(pairing=pairing, author=me, body=form.cleaned_data["body"])
        except services.MessageError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, _("Message sent."))
            return redirect("pairings:conversation", request.organization.slug, request.program.slug, pairing.pk)
    # The newest page first; a page reads top to bottom, oldest first.
    paginator = Paginator(selectors.messages_of(pairing).order_by("-created_at", "-pk"), 50)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "pairing": pairing,
        "me": me,
        "other": services.other_party(pairing, me),
        "form": form,
        "page": page,
        "chat": list(reversed(page.object_list)),
    }
    return render(request, "pairings/conversation.html", context)


@tenant_view(perm="pairings.report_message", obj=message_of_url)
@require_POST
def report(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    message = message_of_url(request, pk)
    try:
        services.message_report(message=message, by=request.user)
    except services.MessageError as error:  # pragma: no cover - the permission refuses one's own message
        raise Http404 from error
    messages.success(request, _("The message is reported to the program's administrators."))
    return redirect("pairings:conversation", request.organization.slug, request.program.slug, message.pairing_id)


@tenant_view(perm="pairings.oversee")
def activity(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    pairings = Paginator(selectors.pairings_with_talk(request.program), 50).get_page(request.GET.get("page"))
    reported = Paginator(selectors.reported_messages(request.program), 20).get_page(request.GET.get("reported"))
    return render(request, "pairings/activity.html", {"pairings": pairings, "reported": reported})
