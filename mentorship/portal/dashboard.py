"""The program dashboard's figures (F8.1) and each program's headline figures for the organization dashboard.

Every figure is an aggregate in the database: the number of queries is the same whatever the program's size,
and nothing loops over rows in Python (only over the weeks of the period and the few rows a table lists).
Each ``Table`` says in ``counts`` exactly what it counts; the page, the SVG charts and the CSV exports all
show the same tables.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Min,
    OuterRef,
    Q,
    Subquery,
    Window,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from matching.models import Audience, MentorRequest, Pairing, PairingStatus, Question, RequestState
from mentorship.oversight.models import Attendance, AttendanceStatus
from mentorship.pairings.models import (
    Agreement,
    AgreementStatus,
    CheckIn,
    CycleSurvey,
    FeedbackRequest,
    Fit,
    Goal,
    Message,
    PairingSettings,
)
from organizations.models import Invitation, InvitationStatus, Membership, Organization, Program, Role
from sessions_app.models import Booking, BookingStatus, MentorshipSession, SessionAttendance, SessionStatus

NEAR_CAPACITY = 1  # a mentor with at most this many free places is "near capacity"
ONE_DAY = timedelta(days=1)
ROLES = (Role.PROGRAM_ADMIN, Role.MENTOR, Role.MENTEE)
ASKED = (Role.MENTEE, Role.MENTOR)  # the roles the questionnaire asks
LISTED = 10  # rows of the lists (mentors near capacity, mentees waiting longest)


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included, in UTC; weeks start on Monday."""

    start: date
    end: date

    @classmethod
    def default(cls, today: date | None = None) -> "Period":
        today = today or timezone.now().date()
        return cls(today - timedelta(weeks=12) + timedelta(days=1), today)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC)

    def weeks(self) -> list[date]:
        first = self.start - timedelta(days=self.start.weekday())
        return [first + timedelta(weeks=n) for n in range((self.end - first).days // 7 + 1)]


@dataclass
class Table:
    """One figure: a title, what exactly it counts, its columns and rows (the same on the page, chart and CSV)."""

    key: str
    title: str
    counts: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart: str = ""  # "bars" (one series per numeric column, one group per row), "percent" or ""
    # The first moment after the figures were computed at which time alone changes them (an invitation passes
    # its date, a session ends, a pair goes quiet, a day more of waiting): None when only writes change them.
    changes_at: datetime | None = None


def soonest(*moments: datetime | None) -> datetime | None:
    """The earliest of these moments (None when none is given)."""
    return min((m for m in moments if m is not None), default=None)


def _week_key(moment) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _rate(came: int, missed: int) -> int | None:
    return None if came + missed == 0 else round(100 * came / (came + missed))


def _percent(part: int, whole: int) -> int | None:
    return None if not whole else round(100 * part / whole)


# --------------------------------------------------------------------------- the figures, one query each or two


def members(program: Program) -> dict:
    """Members by role, and the mentees and mentors who answered every required question asked of their role:
    two queries (the required questions, then one aggregate) that the people, questionnaire and match-rate
    figures all read.

    Completion is the membership's ``questionnaire_complete`` (kept by matching.services.completion wherever
    answers, questions or roles change), so the aggregate reads the members only, not every answer. A role
    asked no required question is complete for everyone (a membership made since has its flag unset).
    """
    required = list(Question.objects.filter(program=program, required=True).values_list("pk", "audience"))
    asked = {role: any(audience in (Audience.BOTH, role) for _pk, audience in required) for role in ASKED}
    done = Q()
    for role in ASKED:
        done |= Q(role=role, questionnaire_complete=True) if asked[role] else Q(role=role)
    by_role = (
        Membership.objects.filter(program=program)
        .values("role")
        .annotate(members=Count("pk"), done=Count("pk", filter=done))
    )
    found = {row["role"]: row for row in by_role.order_by()}
    totals = {f"{role}_members": found.get(role, {}).get("members", 0) for role in ROLES}
    totals |= {f"{role}_done": found.get(role, {}).get("done", 0) for role in ASKED}
    totals["asked"] = list(ASKED)
    return totals


def people(program: Program, now: datetime, counts: dict) -> Table:
    # Grouped by role, state and whether the date has passed (a few rows), where sixteen filtered counts
    # cost more to build than to run.
    grouped = (
        Invitation.objects.filter(program=program)
        .values_list("role", "status")
        .annotate(
            past=ExpressionWrapper(Q(expires_at__lte=now), output_field=BooleanField()),
            n=Count("pk"),
            # when the next pending invitation passes its date (it then counts as expired)
            soon=Min("expires_at", filter=Q(status=InvitationStatus.PENDING, expires_at__gt=now)),
        )
        .order_by()
    )
    states = dict.fromkeys((f"{role}_{s}" for role in ROLES for s in ("pending", "expired", "accepted", "revoked")), 0)
    changes_at = None
    for role, status, past, n, soon in grouped:
        state = "expired" if status == InvitationStatus.PENDING and past else status
        if f"{role}_{state}" in states:
            states[f"{role}_{state}"] += n
        changes_at = soonest(changes_at, soon)
    table = Table(
        "people",
        _("People by role and invitation state"),
        _(
            "Members: people holding the role in this program now. Invitations: every invitation to this program "
            "ever sent, by its state now (a pending invitation past its date counts as expired)."
        ),
        [_("Role"), _("Members"), _("Invitations pending"), _("Expired"), _("Accepted"), _("Revoked")],
        chart="bars",
        changes_at=changes_at,
    )
    for role in (Role.MENTEE, Role.MENTOR, Role.PROGRAM_ADMIN):
        table.rows.append(
            [Role(role).label, counts[f"{role}_members"]]
            + [states[f"{role}_{s}"] for s in ("pending", "expired", "accepted", "revoked")]
        )
    return table


def questionnaire(counts: dict) -> Table:
    table = Table(
        "questionnaire",
        _("Questionnaire completion"),
        _("Mentees and mentors of the program now who have answered every required question asked of their role."),
        [_("Role"), _("Members"), _("Complete"), _("Percent complete")],
        chart="percent",
    )
    for role in counts["asked"]:
        done, whole = counts[f"{role}_done"], counts[f"{role}_members"]
        table.rows.append([Role(role).label, whole, done, _percent(done, whole)])
    return table


def matching(program: Program, period: Period, members: dict) -> Table:
    counts = Pairing.objects.filter(program=program).aggregate(
        active=Count("pk", filter=Q(status=PairingStatus.ACTIVE)),
        made=Count("pk", filter=Q(created_at__gte=period.since, created_at__lt=period.until)),
        ended=Count("pk", filter=Q(ended_at__gte=period.since, ended_at__lt=period.until)),
    )
    mentees = members[f"{Role.MENTEE}_members"]
    table = Table(
        "match-rate",
        _("Match rate"),
        _(
            "Matched now: mentees with an active pairing today, over all the program's mentees. "
            "Paired in the period and ended in the period: pairings made, and pairings ended, between the two dates."
        ),
        [_("Figure"), _("Number")],
    )
    table.rows = [
        [_("Mentees"), mentees],
        [_("Matched now"), counts["active"]],
        [_("Match rate now (percent)"), _percent(counts["active"], mentees)],
        [_("Paired in the period"), counts["made"]],
        [_("Pairings ended in the period"), counts["ended"]],
    ]
    return table


def requests_waiting(program: Program, now: datetime) -> Table:
    """Ranked mentor requests waiting for a mentor's answer now, and the nearest deadlines: two queries."""
    # The window counts every waiting request before the limit keeps the first few (the requests' rows only:
    # joined with their people, all of them were read at 10,000 mentees); then the names of those few.
    first = list(
        MentorRequest.objects.filter(program=program, state=RequestState.WAITING)
        .annotate(total=Window(Count("pk")))
        .order_by("deadline", "pk")
        .values_list("pk", "total")[:LISTED]
    )
    total = first[0][1] if first else 0
    nearest = list(
        MentorRequest.objects.filter(pk__in=[pk for pk, _total in first])
        .select_related("mentee__user", "mentor__user")
        .order_by("deadline", "pk")
    )
    table = Table(
        "requests",
        _("Requests waiting and their nearest deadlines"),
        _(
            "Mentor requests sent and not yet answered now: %(total)s; the %(listed)s nearest deadlines listed "
            "(a request whose deadline passes moves on to the mentee's next choice)."
        )
        % {"total": total, "listed": LISTED},
        [_("Mentee"), _("Mentor asked"), _("Choice"), _("Deadline"), _("Hours left")],
    )
    hours = {r.pk: max(0, int((r.deadline - now).total_seconds() // 3600)) for r in nearest}
    table.rows = [
        [
            r.mentee.user.full_name,
            r.mentor.user.full_name,
            r.rank,
            date_format(timezone.localtime(r.deadline), "SHORT_DATETIME_FORMAT"),
            hours[r.pk],
        ]
        for r in nearest
    ]
    # An hour left less: at most that many hours before the deadline (none less once it is down to 0).
    table.changes_at = soonest(*(r.deadline - timedelta(hours=hours[r.pk]) for r in nearest if hours[r.pk]))
    return table


def pairings_per_week(program: Program, period: Period) -> Table:
    weekly = dict(
        Pairing.objects.filter(program=program, created_at__gte=period.since, created_at__lt=period.until)
        .annotate(week=TruncWeek("created_at", tzinfo=UTC))
        .values_list("week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    weekly = {_week_key(k): v for k, v in weekly.items()}
    table = Table(
        "pairings",
        _("Pairings over time"),
        _("Pairings made each week of the period (by hand or by auto-pairing), whether or not they have ended since."),
        [_("Week of"), _("Pairings made")],
        chart="bars",
    )
    table.rows = [[week, weekly.get(week, 0)] for week in period.weeks()]
    return table


def sessions_per_week(program: Program, period: Period, now: datetime) -> Table:
    booked = Q(seats_taken__gt=0, status=SessionStatus.PUBLISHED)
    weekly = (
        MentorshipSession.objects.filter(program=program, starts_at__gte=period.since, starts_at__lt=period.until)
        .exclude(status=SessionStatus.DRAFT)
        .annotate(week=TruncWeek("starts_at", tzinfo=UTC))
        .values("week")
        .annotate(
            held=Count("pk", filter=booked & Q(ends_at__lte=now)),
            upcoming=Count("pk", filter=booked & Q(ends_at__gt=now)),
            cancelled=Count("pk", filter=Q(status=SessionStatus.CANCELLED)),
            soon=Min("ends_at", filter=booked & Q(ends_at__gt=now)),  # the next booked one over: held then
        )
        .order_by()
    )
    by_week = {_week_key(row["week"]): row for row in weekly}
    table = Table(
        "sessions",
        _("Sessions per week"),
        _(
            "Mentorship sessions by the week they start. Held: published, with at least one booked mentee, and "
            "over. Booked: published, with at least one booked mentee, not over yet. Cancelled: cancelled "
            "sessions. Drafts and published sessions nobody booked are not counted."
        ),
        [_("Week of"), _("Held"), _("Booked"), _("Cancelled")],
        chart="bars",
        changes_at=soonest(*(row["soon"] for row in by_week.values())),
    )
    for week in period.weeks():
        row = by_week.get(week, {})
        table.rows.append([week, row.get("held", 0), row.get("upcoming", 0), row.get("cancelled", 0)])
    return table


def attendance(program: Program, period: Period) -> Table:
    marks = Attendance.objects.filter(
        date__activity__program=program, date__starts_at__gte=period.since, date__starts_at__lt=period.until
    ).aggregate(**{status: Count("pk", filter=Q(status=status)) for status in AttendanceStatus.values})
    seats = Booking.objects.filter(
        session__program=program,
        session__starts_at__gte=period.since,
        session__starts_at__lt=period.until,
        status=BookingStatus.BOOKED,
        session__status=SessionStatus.PUBLISHED,
    ).aggregate(
        attended=Count("pk", filter=Q(attendance=SessionAttendance.ATTENDED)),
        no_show=Count("pk", filter=Q(attendance=SessionAttendance.NO_SHOW)),
        unknown=Count("pk", filter=Q(attendance__in=[SessionAttendance.UNKNOWN, ""])),
    )
    table = Table(
        "attendance",
        _("Attendance rate"),
        _(
            "Activity dates and mentorship sessions starting in the period. Rate: present (or attended) out of "
            "present and absent (or attended and no-show); excused, unknown and not recorded are not counted. "
            "Cancelled sessions have no attendance."
        ),
        [_("What"), _("Present or attended"), _("Absent or no-show"), _("Excused or unknown"), _("Rate (percent)")],
        chart="percent",
    )
    table.rows = [
        [
            _("Activity dates"),
            marks["present"],
            marks["absent"],
            marks["excused"],
            _rate(marks["present"], marks["absent"]),
        ],
        [
            _("Mentorship sessions"),
            seats["attended"],
            seats["no_show"],
            seats["unknown"],
            _rate(seats["attended"], seats["no_show"]),
        ],
    ]
    return table


def _near_capacity(program: Program) -> list[tuple[str, int, int, int, int, int]]:
    """The mentors with at most NEAR_CAPACITY free places, fewest first: (name, active pairings, places, free
    places, how many such mentors, how many at capacity) for the first few. One statement: the program's
    active pairings grouped by mentor once and joined to the mentors, where grouping every mentor joined with
    their pairings and their people's rows took several times longer at 10,000 mentees.

    Raw SQL: only quoted table names (from the models) are put into the text; every value is a parameter.
    Deleted people are left out, as Membership.objects does; places are Program.mentor_capacity in SQL.
    """
    pairing, membership, user = (
        connection.ops.quote_name(m._meta.db_table) for m in (Pairing, Membership, Membership.user.field.related_model)
    )
    sql = (
        f"WITH active AS (SELECT mentor_id, COUNT(*) AS n FROM {pairing} "  # nosec B608
        "WHERE program_id = %s AND status = %s GROUP BY mentor_id), "
        "mentors AS (SELECT m.id, m.user_id, COALESCE(a.n, 0) AS active, "
        "CASE WHEN COALESCE(m.capacity, %s) < %s THEN COALESCE(m.capacity, %s) ELSE %s END AS places "
        f"FROM {membership} m LEFT JOIN active a ON a.mentor_id = m.id WHERE m.program_id = %s AND m.role = %s "
        f"AND m.user_id NOT IN (SELECT id FROM {user} WHERE deleted_at IS NOT NULL)), "
        "near AS (SELECT id, user_id, active, places, places - active AS free FROM mentors "
        "WHERE places - active <= %s), "
        "first AS (SELECT id, user_id, active, places, free, COUNT(*) OVER () AS listed, "
        "SUM(CASE WHEN free <= 0 THEN 1 ELSE 0 END) OVER () AS at_capacity FROM near ORDER BY free, id LIMIT %s) "
        f"SELECT u.full_name, active, places, free, listed, at_capacity FROM first JOIN {user} u ON u.id = user_id "
        "ORDER BY free, first.id"
    )
    default, most = program.default_capacity, program.max_capacity
    params = [program.pk, PairingStatus.ACTIVE, default, most, default, most, program.pk, Role.MENTOR]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, NEAR_CAPACITY, LISTED])
        return cursor.fetchall()


def mentors_near_capacity(program: Program) -> Table:
    # The first few by free places, the windows counting all of them (then those few by name).
    first = _near_capacity(program)
    listed = sorted(first, key=lambda m: (m[3], m[0]))  # stable: equal names stay in id order
    at = first[0][5] if first else 0
    totals = {"at": at, "near": first[0][4] - at if first else 0}
    table = Table(
        "capacity",
        _("Mentors near or at capacity"),
        _(
            "Mentors with %(near)s free place or none now (their capacity, never above the program's maximum, "
            "minus their active pairings): %(at)s at capacity, %(nearly)s near it; the first %(listed)s listed."
        )
        % {"near": NEAR_CAPACITY, "at": totals["at"], "nearly": totals["near"], "listed": LISTED},
        [_("Mentor"), _("Active pairings"), _("Capacity"), _("Free places")],
    )
    table.rows = [[name, active, places, max(free, 0)] for name, active, places, free, _n, _at in listed]
    return table


def mentees_waiting(program: Program, now: datetime) -> Table:
    # The mentees in the order they joined (an index), each looked up in the one-active-pairing-per-mentee
    # index until the first few unpaired are found, rather than hashing every active pairing first. A
    # mentee's pairings are of their program, so they need no tenant join.
    with scopes_disabled():
        paired = Pairing.objects.filter(mentee=OuterRef("pk"), status=PairingStatus.ACTIVE)
    longest = (
        Membership.objects.filter(program=program, role=Role.MENTEE)
        .exclude(Exists(paired))
        .order_by("created_at", "pk")
        .values("pk")[:LISTED]
    )
    # The first few, then their names: people's rows are joined for those few only.
    waiting = Membership.objects.filter(pk__in=longest).select_related("user").order_by("created_at", "pk")
    table = Table(
        "waiting",
        _("Mentees waiting longest without a mentor"),
        _("Mentees without an active pairing now, longest in the program first (the first %(listed)s)")
        % {"listed": LISTED},
        [_("Mentee"), _("In the program since"), _("Days waiting")],
    )
    days = {m.pk: (now - m.created_at).days for m in waiting}
    table.rows = [[m.user.full_name, m.created_at.date(), days[m.pk]] for m in waiting]
    table.changes_at = soonest(*(m.created_at + (days[m.pk] + 1) * ONE_DAY for m in waiting))
    return table


# --------------------------------------------------------------------------- the life of pairings (issue 16)


def _pair_counts(program: Program, period: Period) -> dict[str, int]:
    """The figures of ``pairs_and_agreements`` in one statement: the program's pairings joined with their
    agreement and with their messages grouped by pair once (how many, how many in the period), where a
    semi-join per figure on every message of the program took about twice as long at 10,000 mentees.

    Raw SQL: only quoted table names (from the models) are put into the text; every value is a parameter.
    """
    pairing, agreement, message = (connection.ops.quote_name(m._meta.db_table) for m in (Pairing, Agreement, Message))
    figures = {
        "active": "p.status = %s",
        "talked": "p.status = %s AND m.pairing_id IS NOT NULL",
        "talked_in_period": "m.recent > 0",
        "signed": "p.status = %s AND a.status = %s",
        "sent": "p.status = %s AND a.status = %s",
        "drafting": "p.status = %s AND a.status IN (%s, %s)",
        "none": "p.status = %s AND a.id IS NULL",
        "signed_in_period": "a.status = %s AND a.signed_at >= %s AND a.signed_at < %s",
    }
    active, since, until = PairingStatus.ACTIVE, period.since, period.until
    values = {
        "active": [active],
        "talked": [active],
        "talked_in_period": [],
        "signed": [active, AgreementStatus.SIGNED],
        "sent": [active, AgreementStatus.SENT],
        "drafting": [active, AgreementStatus.DRAFT, AgreementStatus.CHANGES],
        "none": [active],
        "signed_in_period": [AgreementStatus.SIGNED, since, until],
    }
    sums = ", ".join(f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)" for condition in figures.values())
    sql = (
        f"SELECT {sums} FROM {pairing} p LEFT JOIN {agreement} a ON a.pairing_id = p.id "  # nosec B608
        "LEFT JOIN (SELECT pairing_id, SUM(CASE WHEN created_at >= %s AND created_at < %s THEN 1 ELSE 0 END) "
        f"AS recent FROM {message} WHERE program_id = %s GROUP BY pairing_id) m ON m.pairing_id = p.id "
        "WHERE p.program_id = %s"
    )
    params = [value for name in figures for value in values[name]] + [since, until, program.pk, program.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return dict(zip(figures, (int(n) for n in row), strict=True))


def pairs_and_agreements(program: Program, period: Period) -> list[Table]:
    """Pairs that have talked, and mentoring agreements: one statement over the program's pairings."""
    counts = _pair_counts(program, period)
    talked = Table(
        "talked",
        _("Pairs that have talked"),
        _(
            "Active pairs now, and those of them who have sent each other at least one message (ever). Pairs "
            "that talked in the period: pairings, active or ended since, with a message sent between the two "
            "dates. Program admins never read the messages."
        ),
        [_("Figure"), _("Number")],
    )
    talked.rows = [
        [_("Active pairs now"), counts["active"]],
        [_("Active pairs that have talked"), counts["talked"]],
        [_("Percent of active pairs"), _percent(counts["talked"], counts["active"])],
        [_("Pairs that talked in the period"), counts["talked_in_period"]],
    ]
    agreements = Table(
        "agreements",
        _("Mentoring agreements"),
        _(
            "Active pairs now by the state of their mentoring agreement (signed by the mentor, waiting for the "
            "mentor's sign-off, being drafted or changed, none yet). Signed in the period: agreements signed "
            "between the two dates, whether or not their pairing is still active."
        ),
        [_("Figure"), _("Number")],
    )
    agreements.rows = [
        [_("Active pairs now"), counts["active"]],
        [_("Agreement signed"), counts["signed"]],
        [_("Percent of active pairs"), _percent(counts["signed"], counts["active"])],
        [_("Waiting for the mentor's sign-off"), counts["sent"]],
        [_("Being drafted or changed"), counts["drafting"]],
        [_("No agreement yet"), counts["none"]],
        [_("Agreements signed in the period"), counts["signed_in_period"]],
    ]
    return [talked, agreements]


def goals(program: Program, period: Period) -> Table:
    counts = Goal.objects.filter(program=program, agreement__status=AgreementStatus.SIGNED).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(done_at__isnull=False)),
        done_in_period=Count("pk", filter=Q(done_at__gte=period.since, done_at__lt=period.until)),
    )
    table = Table(
        "goals",
        _("Goals done"),
        _(
            "Goals of the signed mentoring agreements of every pairing, active or ended: all of them, those "
            "marked done now, and those marked done between the two dates."
        ),
        [_("Figure"), _("Number")],
    )
    table.rows = [
        [_("Goals in signed agreements"), counts["total"]],
        [_("Goals done"), counts["done"]],
        [_("Percent done"), _percent(counts["done"], counts["total"])],
        [_("Goals done in the period"), counts["done_in_period"]],
    ]
    return table


def session_feedback(program: Program, period: Period) -> Table:
    counts = FeedbackRequest.objects.filter(
        program=program, answered_at__gte=period.since, answered_at__lt=period.until
    ).aggregate(
        answers=Count("pk"),
        average=Avg("rating"),
        not_good=Count("pk", filter=Q(fit=Fit.NOT_GOOD)),
        **{f"rated_{n}": Count("pk", filter=Q(rating=n)) for n in (4, 3, 2, 1)},
    )
    average = counts["average"]
    table = Table(
        "feedback",
        _("Average session rating"),
        _(
            "Feedback after mentorship sessions answered between the two dates, by mentors and mentees: the "
            "number of answers, their average rating out of 4 and how many gave each rating, and the answers "
            "saying the pairing is not a good fit."
        ),
        [_("Figure"), _("Number")],
        chart="",
    )
    table.rows = [
        [_("Feedback answers in the period"), counts["answers"]],
        [_("Average rating (out of 4)"), None if average is None else round(float(average), 2)],
        *[[_("Rated %(n)s") % {"n": n}, counts[f"rated_{n}"]] for n in (4, 3, 2, 1)],
        [_("Not a good fit"), counts["not_good"]],
    ]
    return table


def net_promoter(program: Program) -> Table:
    """The end-of-program survey of the program's current cycle (its end date), whatever the period."""
    counts = CycleSurvey.objects.filter(
        program=program, cycle_ends_on=program.cycle_ends_on, answered_at__isnull=False
    ).aggregate(
        answers=Count("pk"),
        promoters=Count("pk", filter=Q(satisfaction__gte=9)),
        detractors=Count("pk", filter=Q(satisfaction__lte=6)),
    )
    answers, promoters, detractors = counts["answers"], counts["promoters"], counts["detractors"]
    if program.cycle_ends_on:
        ends = date_format(program.cycle_ends_on, "DATE_FORMAT")
        counts_text = _(
            "Answers to the end-of-program survey of the cycle ending on %(ends)s (whatever the period): "
            "promoters answered 9 or 10, detractors 0 to 6; the NPS is the percent of promoters minus the "
            "percent of detractors, from -100 to 100."
        ) % {"ends": ends}
    else:
        counts_text = _("The program has no cycle end date, so no end-of-program survey has been sent.")
    table = Table("nps", _("Net Promoter Score (NPS)"), counts_text, [_("Figure"), _("Number")])
    table.rows = [
        [_("Survey answers"), answers],
        [_("Promoters (9 or 10)"), promoters],
        [_("Passives (7 or 8)"), answers - promoters - detractors],
        [_("Detractors (0 to 6)"), detractors],
        [_("NPS"), None if not answers else round(100 * (promoters - detractors) / answers)],
    ]
    return table


def _quiet_pairs(
    program: Program, since: datetime, now: datetime
) -> tuple[list[tuple[int, datetime, int]], datetime | None, datetime | None]:
    """The active pairs whose last activity is at or before ``since``, quietest first: (pairing id, last
    activity, how many there are) for the first few; then the latest activity of the other active pairs that
    is soonest (the first to go quiet after it), and the soonest end of a booked session of an active pair
    still ahead (then an activity). One set-based statement (every activity of the program's pairs in one
    union, grouped once), where a subquery per pair would take seconds at 10,000 mentees.

    Raw SQL: only quoted table names (from the models) are put into the text; every value is a parameter.
    """
    table = {model: connection.ops.quote_name(model._meta.db_table) for model in (Pairing, Message, FeedbackRequest)}
    booking, session = (connection.ops.quote_name(m._meta.db_table) for m in (Booking, MentorshipSession))
    sql = (
        f"WITH active AS (SELECT id, mentor_id, mentee_id, created_at FROM {table[Pairing]} "  # nosec B608
        "WHERE program_id = %s AND status = %s), "
        "acts AS ("
        "SELECT id AS pairing_id, created_at AS at FROM active "
        f"UNION ALL SELECT pairing_id, created_at FROM {table[Message]} WHERE program_id = %s "
        f"UNION ALL SELECT pairing_id, answered_at FROM {table[FeedbackRequest]} "
        "WHERE program_id = %s AND answered_at IS NOT NULL "
        f"UNION ALL SELECT a.id, s.ends_at FROM active a JOIN {booking} b ON b.mentee_id = a.mentee_id "
        f"AND b.status = %s JOIN {session} s ON s.id = b.session_id AND s.mentor_id = a.mentor_id "
        "AND s.status = %s AND s.ends_at <= %s), "
        "last AS (SELECT pairing_id, MAX(at) AS at FROM acts GROUP BY pairing_id), "
        "pairs AS (SELECT last.pairing_id, last.at FROM last JOIN active ON active.id = last.pairing_id) "
        "SELECT q.pairing_id, q.at, q.n, soon.at, ahead.at FROM (SELECT MIN(at) AS at FROM pairs WHERE at > %s) soon "
        f"CROSS JOIN (SELECT MIN(s.ends_at) AS at FROM active a JOIN {booking} b ON b.mentee_id = a.mentee_id "
        f"AND b.status = %s JOIN {session} s ON s.id = b.session_id AND s.mentor_id = a.mentor_id "
        "AND s.status = %s AND s.ends_at > %s) ahead "
        "LEFT JOIN (SELECT pairing_id, at, COUNT(*) OVER () AS n FROM pairs WHERE at <= %s "
        "ORDER BY at, pairing_id LIMIT %s) q ON 1 = 1"
    )
    params = [
        program.pk,
        PairingStatus.ACTIVE,
        program.pk,
        program.pk,
        BookingStatus.BOOKED,
        SessionStatus.PUBLISHED,
        now,
        since,
        BookingStatus.BOOKED,
        SessionStatus.PUBLISHED,
        now,
        since,
        LISTED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = [(pk, _aware(at), n) for pk, at, n, _soon, _ahead in rows if pk is not None]
    soon, ahead = rows[0][3], rows[0][4]  # one row at least: the two minimums
    return found, soon and _aware(soon), ahead and _aware(ahead)


def _aware(value) -> datetime:
    """A timestamp read by raw SQL: PostgreSQL gives an aware datetime, SQLite (the embedded demo) UTC text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def needs_check_in(program: Program, now: datetime) -> Table:
    """Active pairs with no message, answered session feedback or past session for the program's number of
    quiet days (the rule of the daily check-in task, pairings.selectors), quietest first: three queries."""
    days = PairingSettings.objects.filter(program=program).values_list("quiet_days", flat=True).first()
    days = PairingSettings.DEFAULT_QUIET_DAYS if days is None else days
    found, soon, ahead = _quiet_pairs(program, now - timedelta(days=days), now)
    last = {pk: at for pk, at, _n in found}
    total = found[0][2] if found else 0
    quiet = sorted(
        Pairing.objects.filter(pk__in=list(last))
        .select_related("mentor__user", "mentee__user")
        .annotate(reminded_at=Subquery(CheckIn.objects.filter(pairing=OuterRef("pk")).values("reminded_at")[:1])),
        key=lambda p: (last[p.pk], p.pk),
    )
    for pairing in quiet:
        pairing.last_activity = last[pairing.pk]
    table = Table(
        "check-in",
        _("Needs check-in"),
        _(
            "Active pairs now with no message, answered session feedback or past session for the program's "
            "number of quiet days (%(days)s): %(total)s; the %(listed)s quietest listed."
        )
        % {"days": days, "total": total, "listed": LISTED},
        [_("Mentor"), _("Mentee"), _("Last activity"), _("Days quiet"), _("Reminded on")],
    )
    quiet_days = {p.pk: (now - p.last_activity).days for p in quiet}
    table.rows = [
        [
            p.mentor.user.full_name,
            p.mentee.user.full_name,
            timezone.localtime(p.last_activity).date(),
            quiet_days[p.pk],
            timezone.localtime(p.reminded_at).date() if p.reminded_at else None,
        ]
        for p in quiet
    ]
    # Another pair goes quiet, a session of a pair ends (an activity), a listed pair is a day quieter.
    table.changes_at = soonest(
        soon and soon + timedelta(days=days),
        ahead,
        *(p.last_activity + (quiet_days[p.pk] + 1) * ONE_DAY for p in quiet),
    )
    return table


def pair_life(program: Program, period: Period, now: datetime) -> list[Table]:
    """The figures of the life of pairings (issue 16): five queries whatever the program's size."""
    return [
        *pairs_and_agreements(program, period),
        goals(program, period),
        session_feedback(program, period),
        net_promoter(program),
        needs_check_in(program, now),
    ]


def program_dashboard(program: Program, period: Period, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    counts = members(program)
    tables = [
        people(program, now, counts),
        questionnaire(counts),
        matching(program, period, counts),
        requests_waiting(program, now),
        pairings_per_week(program, period),
        sessions_per_week(program, period, now),
        attendance(program, period),
        mentors_near_capacity(program),
        mentees_waiting(program, now),
        *pair_life(program, period, now),
    ]
    return {"tables": tables, "changes_at": soonest(*(table.changes_at for table in tables))}


# --------------------------------------------------------------------------- the organization's programs


def organization_program_ids(organization: Organization) -> list[int]:
    """The programs ``organization_dashboard`` shows, by pk (what its figures are kept under)."""
    with scopes_disabled():
        return sorted(Program.objects.filter(organization=organization).values_list("pk", flat=True))


def organization_dashboard(organization: Organization, period: Period, now: datetime | None = None) -> Table:
    """Each program's headline figures side by side, in a constant number of queries whatever their number."""
    now = now or timezone.now()
    with scopes_disabled():
        programs = list(Program.objects.filter(organization=organization).order_by("name", "pk"))
        ids = [p.pk for p in programs]
        roles = Membership.objects.filter(program__in=ids, role__in=[Role.MENTEE, Role.MENTOR])
        members = {
            (pid, role): n
            for pid, role, n in roles.values_list("program_id", "role").annotate(n=Count("pk")).order_by()
        }
        pairings = {
            row["program_id"]: row
            for row in Pairing.objects.filter(program__in=ids)
            .values("program_id")
            .annotate(
                active=Count("pk", filter=Q(status=PairingStatus.ACTIVE)),
                made=Count("pk", filter=Q(created_at__gte=period.since, created_at__lt=period.until)),
            )
            .order_by()
        }
        sessions = (
            MentorshipSession.objects.filter(
                program__in=ids,
                status=SessionStatus.PUBLISHED,
                seats_taken__gt=0,
                starts_at__gte=period.since,
                starts_at__lt=period.until,
            )
            .values_list("program_id")
            # held once over: the next one over changes the figures
            .annotate(n=Count("pk", filter=Q(ends_at__lte=now)), soon=Min("ends_at", filter=Q(ends_at__gt=now)))
            .order_by()
        )
        held, ends = {}, []
        for program_id, n, soon in sessions:
            held[program_id] = n
            ends.append(soon)
        marks = {
            row["date__activity__program_id"]: row
            for row in Attendance.objects.filter(
                date__activity__program__in=ids, date__starts_at__gte=period.since, date__starts_at__lt=period.until
            )
            .values("date__activity__program_id")
            .annotate(
                present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
                absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
            )
            .order_by()
        }
    table = Table(
        "programs",
        _("Programs side by side"),
        _(
            "Per program: mentees and mentors now; mentees with an active pairing now; pairings made, sessions "
            "held (published, booked, over) and activity attendance rate (present out of present and absent) "
            "for the period."
        ),
        [
            _("Program"),
            _("Mentees"),
            _("Mentors"),
            _("Matched now"),
            _("Match rate now (percent)"),
            _("Paired in the period"),
            _("Sessions held"),
            _("Activity attendance rate (percent)"),
        ],
    )
    for program in programs:
        mentees = members.get((program.pk, Role.MENTEE), 0)
        pairing = pairings.get(program.pk, {})
        mark = marks.get(program.pk, {})
        active = pairing.get("active", 0)
        table.rows.append(
            [
                program.name,
                mentees,
                members.get((program.pk, Role.MENTOR), 0),
                active,
                _percent(active, mentees),
                pairing.get("made", 0),
                held.get(program.pk, 0),
                _rate(mark.get("present", 0), mark.get("absent", 0)),
            ]
        )
    table.changes_at = soonest(*ends)
    return table
