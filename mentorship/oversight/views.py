"""Oversight pages: program admins' Activities (schedule, attendees, mentors, attendance per date), a mentor's
My mentees and a mentee's follow-up with observations, a mentee's own follow-up, and attendance of sessions."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from mentorship.kept import kept
from mentorship.oversight import selectors, services
from mentorship.oversight.forms import (
    ActivityForm,
    DateFormSet,
    ObservationForm,
    OversightSettingsForm,
    duplicate_dates,
    initial_dates,
    schedule_changes,
)
from mentorship.oversight.loaders import (
    activity_of_url,
    date_of_url,
    mentee_of_url,
    observation_of_url,
    session_of_url,
)
from mentorship.oversight.models import Activity, ActivityDate, AttendanceStatus, Observation, OversightSettings
from mentorship.stamps import program_stamp
from organizations.decorators import tenant_view
from organizations.models import Membership, Role
from sessions_app.models import Booking, BookingStatus, MentorshipSession, SessionAttendance, SessionStatus

PAGE_SIZE = 50
MENTEES_PAGE_SIZE = 25  # My mentees: each row counts the mentee's attendance and observations
ATTENDEES_PAGE_SIZE = 25  # Attendance of a date: a radio group and a note each
RECENT = timedelta(days=60)


def _args(request: HttpRequest, *more) -> list:
    return [request.organization.slug, request.program.slug, *more]


def _may_manage(request: HttpRequest) -> bool:
    return request.user.has_perm("oversight.manage_activities", request.program)


# ------------------------------------------------------------------ program admins: activities


@tenant_view(perm="oversight.manage_activities")
def activities(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    page = Paginator(selectors.activities_for(request.program), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "oversight/activities.html", {"page": page})


def _activity_form_page(request: HttpRequest, activity: Activity | None) -> HttpResponse:
    program_ = request.program
    initial = {"time_zone": request.user.timezone}
    if activity is not None:
        initial = {
            "name": activity.name,
            "description": activity.description,
            "time_zone": activity.time_zone,
            "mentees": [m.pk for m in activity.mentees.all()],
            "mentors": [m.pk for m in activity.mentors.all()],
        }
    data = request.POST if request.method == "POST" else None
    form = ActivityForm(
        data,
        initial=initial,
        program=program_,
        mentees=selectors.mentees_of_program(program_),
        mentors=selectors.mentors_of_program(program_),
        activity=activity,
    )
    schedule = DateFormSet(data, initial=initial_dates(activity), prefix="dates")
    if data is not None and form.is_valid() and schedule.is_valid():
        if duplicate_dates(schedule):
            schedule._non_form_errors = schedule.error_class([_("Two dates of the schedule start at the same time.")])
        else:
            new, removed, changed = schedule_changes(schedule, activity)
            saved = services.activity_save(
                program=program_,
                by=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                time_zone=form.cleaned_data["time_zone"],
                mentees=form.cleaned_data["mentees"],
                mentors=form.cleaned_data["mentors"],
                dates=new,
                remove_dates=removed,
                changed_dates=changed,
                activity=activity,
            )
            messages.success(request, _("The activity is saved."))
            return redirect("oversight:activity", *_args(request, saved.pk))
    title = _("Edit activity") if activity else _("New activity")
    context = {"form": form, "schedule": schedule, "activity": activity, "title": title}
    return render(request, "oversight/activity_form.html", context)


@tenant_view(perm="oversight.manage_activities")
def activity_create(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    return _activity_form_page(request, None)


@tenant_view(perm="oversight.manage_activities")
def activity_edit(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    return _activity_form_page(request, activity_of_url(request, pk))


@tenant_view(perm="oversight.view_activity", obj=activity_of_url)
def activity_detail(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """The schedule, the attendees and the mentors; program admins also edit it and take attendance."""
    activity = activity_of_url(request, pk)
    context = {"activity": activity, "may_manage": _may_manage(request), "now": timezone.now()}
    return render(request, "oversight/activity.html", context)


@tenant_view(perm="oversight.manage_activities")
def attendance(request: HttpRequest, organization: str, program: str, pk: int, date: int) -> HttpResponse:
    """Attendance for one date, 25 attendees a page: each with a radio group, the page saved in one POST (then
    the next page, or the activity after the last)."""
    day = date_of_url(request, pk, date)
    if request.method != "POST":
        # Read before any row: a committed write to the program's rows (an attendee, a mark, a name) gives it a new
        # stamp. The rows hold no token (the form's is outside them): the same for every admin of the program.
        stamp = program_stamp(request.program)
        asked = request.GET.get("page", "")[:8]
        key = f"oversight:attendance:{day.pk}:{translation.get_language()}:{asked!r}"
        count, number, rows_html = kept(stamp, key, lambda: _attendance_rows(day, asked), shared=False)
        page = Page([], number, Paginator(range(count), ATTENDEES_PAGE_SIZE))
        return render(request, "oversight/attendance.html", {"day": day, "rows_html": rows_html, "page": page})
    page, people, marks = _attendance_page(day, request.GET.get("page"))
    errors = []
    posted = {}
    valid = set(AttendanceStatus.values) | {""}
    for person in people:
        status = request.POST.get(f"status-{person.pk}", "")
        note = request.POST.get(f"note-{person.pk}", "")
        if status not in valid:
            errors.append(person)
        elif len(note) > 300:
            errors.append(person)
        posted[person.pk] = (status, note)
    if not errors:
        count = services.attendance_record(date=day, by=request.user, marks=posted)
        messages.success(
            request,
            _("Attendance is saved: %(count)s of %(total)s marked.") % {"count": count, "total": page.paginator.count},
        )
        if page.has_next():
            return redirect(f"{request.path}?page={page.next_page_number()}")
        return redirect("oversight:activity", *_args(request, day.activity_id))
    rows = [
        {
            "person": person,
            "key": str(person.pk),
            "status": request.POST.get(f"status-{person.pk}", ""),
            "note": request.POST.get(f"note-{person.pk}", ""),
            "error": person in errors,
        }
        for person in people
    ]
    rows_html = render_to_string("oversight/_attendance_rows.html", {"rows": rows, "choices": AttendanceStatus.choices})
    context = {"day": day, "rows_html": rows_html, "page": page, "errors": errors}
    return render(request, "oversight/attendance.html", context)


def _attendance_page(day: ActivityDate, number: str | None) -> tuple[Page, list[Membership], dict]:
    """A page of the date's attendees, by name, and their marks for the date (mentee pk -> Attendance)."""
    # The activity's mentees by primary key (their ids first): joined to the links, PostgreSQL read every membership
    # of the organization to keep a hundred (the benchmark's index check).
    links = Activity.mentees.through.objects.filter(activity_id=day.activity_id)
    ids = list(links.values_list("membership_id", flat=True))
    attendees = (
        Membership.objects.filter(pk__in=ids)
        .select_related("user")
        .only("pk", "user_id", "program_id", "user__full_name")
    )
    page = Paginator(attendees.order_by("sort_name", "pk"), ATTENDEES_PAGE_SIZE).get_page(number)
    people = list(page)
    marks = {a.mentee_id: a for a in day.attendances.filter(mentee__in=[p.pk for p in people])}
    return page, people, marks


def _attendance_rows(day: ActivityDate, number: str | None) -> tuple[int, int, SafeString]:
    """The count of the date's attendees, the page's number and its rows with their marks, rendered."""
    page, people, marks = _attendance_page(day, number)
    rows = []
    for person in people:
        mark = marks.get(person.pk)
        status, note = (mark.status, mark.note) if mark else ("", "")
        rows.append({"person": person, "key": str(person.pk), "status": status, "note": note, "error": False})
    context = {"rows": rows, "choices": AttendanceStatus.choices}
    return page.paginator.count, page.number, render_to_string("oversight/_attendance_rows.html", context)


@tenant_view(perm="oversight.manage_activities")
def oversight_settings(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    row = OversightSettings.objects.filter(program=request.program).first() or OversightSettings(
        program=request.program
    )
    form = OversightSettingsForm(request.POST if request.method == "POST" else None, instance=row)
    if request.method == "POST" and form.is_valid():
        services.settings_save(
            program=request.program, mentees_see_observations=form.cleaned_data["mentees_see_observations"]
        )
        messages.success(request, _("The settings are saved."))
        return redirect("oversight:settings", *_args(request))
    return render(request, "oversight/settings.html", {"form": form})


@tenant_view(perm="oversight.manage_activities")
def observations(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """Every observation of the program, newest first, for those who manage it."""
    rows = Observation.objects.filter(program=request.program).select_related(
        "author__user", "mentee__user", "activity", "session"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "oversight/observations.html", {"page": page})


# ------------------------------------------------------------------ mentors: My mentees


@dataclass(frozen=True)
class _MyMentees:
    """What "My mentees" shows of the program's rows, rendered: kept under the program's stamp."""

    count: int
    number: int
    looked_at: list[tuple[int, int, int]]  # (program, membership, user) of the page's mentees: the looks
    rows: SafeString  # the table's rows
    activities: SafeString  # the mentor's activities, as list items
    recent: list[MentorshipSession]  # the mentor's sessions of the last 60 days, newest first (20 at most)
    recent_until: datetime  # when time alone changes them: a session starts, or one leaves the 60 days


def _recent_sessions(mentor: Membership, now: datetime) -> tuple[list[MentorshipSession], datetime]:
    """The mentor's sessions (not drafts) that started in the 60 days before ``now``, newest first, and until when
    that list holds whatever is written: the next session's start, or the oldest shown one leaving the 60 days."""
    sessions = MentorshipSession.objects.filter(mentor=mentor).exclude(status=SessionStatus.DRAFT)
    recent = list(
        sessions.filter(starts_at__lte=now, starts_at__gte=now - RECENT)
        .only("pk", "local_date", "local_time", "status", "starts_at")
        .order_by("-starts_at")[:20]
    )
    next_start = sessions.filter(starts_at__gt=now).order_by("starts_at").values_list("starts_at", flat=True).first()
    ends = [moment for moment in (next_start, recent[-1].starts_at + RECENT if recent else None) if moment]
    return recent, min(ends, default=now + RECENT)


def _my_mentees(request: HttpRequest, mentor: Membership, number: str | None) -> _MyMentees:
    followed = selectors.followed_ids(mentor)
    page = Paginator(followed, MENTEES_PAGE_SIZE).get_page(number)
    people = selectors.followed_rows(mentor, list(page))
    mine = selectors.activities_of_mentor(mentor, people)
    for person in people:
        person.rate = selectors.rate(person.present + person.attended, person.absent + person.no_show)
        person.activities = [a for a in mine if person.pk in a.mentee_ids]
    context = {"people": people, "activities": mine, "organization": request.organization, "program": request.program}
    recent, recent_until = _recent_sessions(mentor, timezone.now())
    return _MyMentees(
        recent=recent,
        recent_until=recent_until,
        count=len(followed),
        number=page.number,
        looked_at=[(m.program_id, m.pk, m.user_id) for m in people],
        rows=render_to_string("oversight/_my_mentees_rows.html", context),
        activities=render_to_string("oversight/_my_mentees_activities.html", context),
    )


@tenant_view(perm="oversight.view_my_mentees")
def my_mentees(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """The mentees a mentor follows, with their attendance rate and observations; the mentor's activities."""
    program_ = request.program
    # Read before any row: a committed write to the program's rows (a pairing, an attendee, a mark, an observation,
    # a name) gives it a new stamp, so what is kept under the old one is never shown again.
    stamp = program_stamp(program_)
    mentor_id = selectors.mentor_membership_id(request.user, program_)
    mentor = Membership(pk=mentor_id, program_id=program_.pk, organization_id=program_.organization_id)
    number = request.GET.get("page", "")[:8]
    # The mentor's own mentees (names: kept in this process only), rendered in the view's language.
    key = f"oversight:my-mentees:{mentor_id}:{translation.get_language()}:{number!r}"
    data = kept(stamp, key, lambda: _my_mentees(request, mentor, number), shared=False)
    services.looks_record(viewer=request.user, mentees=data.looked_at)
    now = timezone.now()
    # The sessions kept with the rows hold until a session starts or leaves the 60 days; after that, read again.
    recent = data.recent if now < data.recent_until else _recent_sessions(mentor, now)[0]
    context = {
        "page": Page(data.looked_at, data.number, Paginator(range(data.count), MENTEES_PAGE_SIZE)),
        "data": data,
        "recent_sessions": recent,
    }
    return render(request, "oversight/my_mentees.html", context)


def _follow_up_page(request: HttpRequest, mentee, form: ObservationForm | None) -> HttpResponse:
    # Whoever manages the program sees every observation; a mentor, the shared ones and their own.
    mentor = None if _may_manage(request) else selectors.mentor_membership(request.user, request.program)
    follow = selectors.follow_up_of(mentee, mentor=mentor)
    if request.method == "GET":
        services.looks_record(viewer=request.user, mentees=[(mentee.program_id, mentee.pk, mentee.user_id)])
    context = {"follow": follow, "mentee": mentee, "form": form, "now": timezone.now()}
    return render(request, "oversight/mentee.html", context)


def _observation_form(request: HttpRequest, mentee, data=None) -> ObservationForm | None:
    if not request.user.has_perm("oversight.add_observation", mentee):
        return None
    author = selectors.observation_author(request.user, mentee)
    if author is None:
        return None
    # A mentor writes about their own activities and sessions with the mentee; an admin about any of the mentee's.
    activities = Activity.objects.filter(program=request.program, mentees=mentee)
    sessions = MentorshipSession.objects.filter(
        program=request.program, bookings__mentee=mentee, bookings__status=BookingStatus.BOOKED
    )
    if author.role == Role.MENTOR:
        activities, sessions = activities.filter(mentors=author), sessions.filter(mentor=author)
    sessions = sessions.distinct()
    return ObservationForm(
        data, initial={"observed_on": timezone.localdate()}, activities=activities, bookings=sessions
    )


@tenant_view(perm="oversight.follow_mentee", obj=mentee_of_url)
def mentee_follow_up(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    mentee = mentee_of_url(request, pk)
    return _follow_up_page(request, mentee, _observation_form(request, mentee))


@tenant_view(perm="oversight.add_observation", obj=mentee_of_url)
def observation_add(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    mentee = mentee_of_url(request, pk)
    form = _observation_form(request, mentee, request.POST if request.method == "POST" else None)
    if form is None:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.observation_add(
            author=selectors.observation_author(request.user, mentee),
            mentee=mentee,
            observed_on=data["observed_on"],
            text=data["text"],
            visibility=data["visibility"],
            activity=data.get("activity"),
            session=data.get("session"),
        )
        messages.success(request, _("The observation is added."))
        return redirect("oversight:mentee", *_args(request, mentee.pk))
    return _follow_up_page(request, mentee, form)


@tenant_view(perm="oversight.edit_observation", obj=observation_of_url)
def observation_edit(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    observation = observation_of_url(request, pk)
    initial = {"observed_on": observation.observed_on, "text": observation.text, "visibility": observation.visibility}
    form = ObservationForm(request.POST if request.method == "POST" else None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = services.observation_edit(
            observation=observation_of_url(request, pk),
            by=request.user,
            observed_on=data["observed_on"],
            text=data["text"],
            visibility=data["visibility"],
        )
        messages.success(request, _("The observation is changed.") if changed else _("Nothing was changed."))
        return redirect("oversight:mentee", *_args(request, observation.mentee_id))
    context = {"form": form, "observation": observation, "revisions": observation.revisions.all()}
    return render(request, "oversight/observation_form.html", context)


# ------------------------------------------------------------------ mentees: their own follow-up


@tenant_view(perm="oversight.view_own_follow_up")
def my_follow_up(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """A mentee's schedule and attendance, the observations shared with them, and who looked and when."""
    mentee = selectors.mentee_membership(request.user, request.program)
    follow = selectors.follow_up_of(mentee, as_mentee=True)
    context = {
        "follow": follow,
        "looks": selectors.looks_at(mentee),
        "observations_shown": selectors.mentees_see_observations(request.program),
    }
    return render(request, "oversight/my_follow_up.html", context)


# ------------------------------------------------------------------ mentors: attendance of a session


@tenant_view(perm="oversight.record_session_attendance", obj=session_of_url)
def session_attendance(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    session = session_of_url(request, pk)
    bookings = list(
        Booking.objects.filter(session=session, status=BookingStatus.BOOKED)
        .select_related("mentee__user")
        .order_by("mentee__sort_name", "pk")
    )
    cancelled = session.status == SessionStatus.CANCELLED
    not_started = session.starts_at > timezone.now()
    if request.method == "POST" and not cancelled and not not_started:
        marks = {b.pk: request.POST.get(f"attendance-{b.pk}", "") for b in bookings}
        try:
            services.session_attendance_record(session=session, marks=marks)
        except services.AttendanceNotOpen:
            pass
        else:
            messages.success(request, _("Attendance is saved."))
            return redirect("oversight:session_attendance", *_args(request, session.pk))
    context = {
        "session": session,
        "bookings": bookings,
        "choices": SessionAttendance.choices,
        "cancelled": cancelled,
        "not_started": not_started,
    }
    return render(request, "oversight/session_attendance.html", context)
