"""Demand spreading counts waiting ranked requests (F4.10): a mentee who ranked mentors counts 1 on the mentor
their request waits for, and is left out of the estimate from recommendations."""

from django.core.cache import cache

from matching import matchmaking
from matching.services.requests import request_decline, select_mentors
from organizations.models import Role


def demand_of(program) -> dict[int, float]:
    demand = matchmaking.mentor_demand(program)
    if demand is None:
        return {}
    return {pk: round(float(weight), 3) for pk, weight in zip(demand.mentor_ids, demand.weights, strict=True)}


def rank(program, mentee, mentors):
    return select_mentors(
        program=program,
        mentee=mentee,
        mentor_ids=[m.pk for m in mentors],
        allowed={m.pk: (90.0 - i, []) for i, m in enumerate(mentors)},
        by=None,
    )


def test_a_waiting_request_is_one_on_its_mentor_and_replaces_the_estimate(survey):
    program = survey.program
    program.recommendations_count = 2
    program.save()
    mentee = survey.person(Role.MENTEE, skills=["Networking"]).memberships.get()
    first = survey.person(Role.MENTOR, skills=["Networking"]).memberships.get()
    second = survey.person(Role.MENTOR, skills=["Networking"]).memberships.get()
    assert demand_of(program) == {first.pk: 0.5, second.pk: 0.5}  # 1/N each from the recommendations
    selection = rank(program, mentee, [second, first])
    assert demand_of(program) == {first.pk: 0.0, second.pk: 1.0}  # the request waits for the second
    request_decline(request_id=selection.requests.get(rank=1).pk, by=None)
    assert demand_of(program) == {first.pk: 1.0, second.pk: 0.0}  # moved on to the next choice


def test_other_mentees_still_count_from_their_recommendations(survey):
    program = survey.program
    program.recommendations_count = 1
    program.save()
    ranked = survey.person(Role.MENTEE, skills=["Networking"]).memberships.get()
    survey.person(Role.MENTEE, skills=["Public speaking"])
    speaker = survey.person(Role.MENTOR, skills=["Public speaking"]).memberships.get()
    networker = survey.person(Role.MENTOR, skills=["Networking"]).memberships.get()
    rank(program, ranked, [speaker])
    assert demand_of(program) == {speaker.pk: 2.0, networker.pk: 0.0}


def test_a_ranked_choice_makes_a_one_place_mentor_give_way_in_others_recommendations(
    client, survey, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    program = survey.program
    program.default_capacity = 1
    program.save()
    looking = survey.person(Role.MENTEE, skills=["Public speaking", "Networking"], structure=4)
    ranked = survey.person(Role.MENTEE, skills=["Public speaking", "Networking"], structure=4).memberships.get()
    best = survey.person(
        Role.MENTOR, full_name="Best Match", skills=["Public speaking", "Networking"], structure=4
    ).memberships.get()
    survey.person(Role.MENTOR, full_name="Near Match", skills=["Public speaking", "Networking"], structure=3)
    cache.clear()
    url = reverse("matching:recommendations", args=[program.organization.slug, program.slug])
    client.force_login(looking)
    assert [s.mentor.user.full_name for s in client.get(url).context["suggestions"]][0] == "Best Match"
    with django_capture_on_commit_callbacks(execute=True):  # the demand is recounted after commit
        rank(program, ranked, [best])
    assert demand_of(program)[best.pk] == 1.2  # 1 waiting request, and 1/5 of the looking mentee
    order = [s.mentor.user.full_name for s in client.get(url).context["suggestions"]]
    assert order[0] == "Near Match", order
