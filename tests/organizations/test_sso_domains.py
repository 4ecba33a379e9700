"""Email domain ownership: a claimed domain routes, requires or creates nothing until verified (DNS TXT or staff)."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.models import User
from organizations.models import DomainVerification, EmailDomain, Membership, Role, SingleSignOn
from organizations.sso import services
from tests.factories import PASSWORD, ProgramFactory, UserFactory, member
from tests.organizations.saml_idp import SSO_URL
from tests.organizations.test_sso_saml import idp_answer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sp_host")]


@pytest.fixture
def acme(sso_organization):
    """Acme's single sign-on, tested, with acme.example claimed but not verified, required, JIT allowed; off."""
    return sso_organization("acme", verified=False, required=True, jit=True, enabled=False)


def admin_of(program):
    return member(program, Role.ORGANIZATION_ADMIN, email=f"boss@{program.organization.slug}.example")


def sso_page(client, slug="acme") -> str:
    return client.get(reverse("organizations:sso", args=[slug])).content.decode()


def check_dns(client, claim, slug="acme") -> str:
    url = reverse("organizations:sso_domain_verify", args=[slug, claim.pk])
    return client.post(url, follow=True).content.decode()


def test_an_unverified_domain_routes_requires_and_creates_nothing(client, acme, idp):
    SingleSignOn.objects.update(enabled=True)  # as if switched on before the rule: still nothing
    page = client.post(reverse("sso:start"), {"email": "ada@acme.example"}).content.decode()
    assert "No organization signs in this address with single sign-on" in page
    ada = UserFactory(email="ada@acme.example")
    Membership.objects.create(organization=acme.organization, user=ada, role=Role.MEMBER)
    response = client.post(reverse("account_login"), {"login": "ada@acme.example", "password": PASSWORD})
    assert response.status_code == 302  # a password still works: the claim is not proven
    client.logout()
    answer = idp_answer(
        client, client.post(reverse("sso:start_organization", args=["acme"])), idp, email="new@acme.example"
    )
    assert "acme.example is not a verified domain of Acme" in answer.content.decode()
    assert not User.objects.filter(email="new@acme.example").exists()


def test_switching_on_needs_a_verified_domain(client, acme):
    client.force_login(admin_of(acme))
    page = client.post(reverse("organizations:sso_switch", args=["acme"]), {"enabled": "1"}, follow=True)
    assert "Verify at least one email domain before switching single sign-on on." in page.content.decode()
    assert not SingleSignOn.objects.get().enabled


def test_the_page_shows_the_txt_record_and_a_published_record_verifies_the_domain(client, acme, dns_zone):
    client.force_login(admin_of(acme))
    claim = EmailDomain.objects.get()
    page = sso_page(client)
    assert "not verified yet" in page
    assert "_mentorship-verification.acme.example" in page
    assert f"mentorship-domain-verification={claim.verification_token}" in page
    dns_zone.publish("_mentorship-verification.acme.example", "v=spf1 -all", claim.record_value)
    page = check_dns(client, claim)
    assert "acme.example is verified." in page
    assert "verified on" in page and "(by DNS record)" in page
    claim.refresh_from_db()
    assert claim.verified_by == DomainVerification.DNS
    client.post(reverse("organizations:sso_switch", args=["acme"]), {"enabled": "1"})
    assert SingleSignOn.objects.get().enabled
    start = client.post(reverse("sso:start"), {"email": "ada@acme.example"}).content.decode()
    assert f'href="{SSO_URL}?SAMLRequest=' in start


def test_no_record_or_a_wrong_one_says_what_dns_holds(client, acme, dns_zone):
    client.force_login(admin_of(acme))
    claim = EmailDomain.objects.get()
    page = check_dns(client, claim)
    assert f"No TXT record {claim.record_value} found at _mentorship-verification.acme.example yet." in page
    dns_zone.publish("_mentorship-verification.acme.example", "mentorship-domain-verification=someone-elses")
    page = check_dns(client, claim)
    assert "holds another value: mentorship-domain-verification=someone-elses." in page
    assert not EmailDomain.objects.get().is_verified


def test_a_dns_that_does_not_answer_is_a_clear_error(client, acme, settings):
    settings.SSO_DNS_NAMESERVER = "127.0.0.1:9"  # nothing listens there
    settings.SSO_DNS_TIMEOUT = 0.5
    client.force_login(admin_of(acme))
    page = check_dns(client, EmailDomain.objects.get())
    assert "The DNS could not be asked just now." in page
    assert not EmailDomain.objects.get().is_verified


def test_another_organization_may_claim_an_unverified_domain_but_only_one_verifies_it(client, acme, dns_zone, idp):
    rival = ProgramFactory(organization__slug="rival", organization__name="Rival")
    services.domains_set(organization=rival.organization, domains=["acme.example"])
    acme_claim = EmailDomain.objects.get(organization=acme.organization)
    rival_claim = EmailDomain.objects.get(organization=rival.organization)
    assert acme_claim.verification_token != rival_claim.verification_token
    dns_zone.publish("_mentorship-verification.acme.example", acme_claim.record_value)
    acme_admin, rival_admin = admin_of(acme), admin_of(rival)
    client.force_login(rival_admin)
    assert "holds another value" in check_dns(client, rival_claim, "rival")  # Rival's token is not in Acme's DNS
    client.force_login(acme_admin)
    assert "acme.example is verified." in check_dns(client, acme_claim)
    dns_zone.publish("_mentorship-verification.acme.example", rival_claim.record_value)
    client.force_login(rival_admin)
    assert "acme.example already belongs to another organization." in check_dns(client, rival_claim, "rival")
    assert not EmailDomain.objects.get(pk=rival_claim.pk).is_verified
    page = client.post(
        reverse("organizations:sso", args=["rival"]),
        {"protocol": "saml", "metadata_xml": idp.metadata(), "domains": "acme.example rival.example"},
    )
    assert "acme.example already belongs to another organization." in page.content.decode()


def test_another_organizations_domain_check_is_404(client, acme):
    rival = ProgramFactory(organization__slug="rival")
    client.force_login(admin_of(rival))
    claim = EmailDomain.objects.get()
    assert client.post(reverse("organizations:sso_domain_verify", args=["rival", claim.pk])).status_code == 404
    assert client.post(reverse("organizations:sso_domain_verify", args=["acme", claim.pk])).status_code == 404


def test_public_mail_providers_are_refused_outright(client, acme):
    client.force_login(admin_of(acme))
    for domain in ("gmail.com", "Outlook.com", "proton.me"):
        page = client.post(reverse("organizations:sso", args=["acme"]), {"protocol": "saml", "domains": domain})
        assert "is a public email service" in page.content.decode()
    with pytest.raises(services.SsoError):
        services.domains_set(organization=acme.organization, domains=["yahoo.com"])
    assert list(EmailDomain.objects.values_list("domain", flat=True)) == ["acme.example"]


def test_saving_keeps_a_verified_domain_verified(client, acme, idp):
    services.domain_mark_verified(claim=EmailDomain.objects.get())
    client.force_login(admin_of(acme))
    data = {"protocol": "saml", "domains": "acme.example acme-labs.example"}
    assert client.post(reverse("organizations:sso", args=["acme"]), data).status_code == 302
    verified = dict(EmailDomain.objects.values_list("domain", "verified_by"))
    assert verified == {"acme.example": DomainVerification.STAFF, "acme-labs.example": ""}


def test_staff_verify_a_domain_in_the_django_admin(client, acme):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    claim = EmailDomain.objects.get()
    changelist = reverse("admin:organizations_emaildomain_changelist")
    assert "acme.example" in client.get(changelist, {"verified": "no"}).content.decode()
    page = client.post(
        changelist, {"action": "mark_verified", "_selected_action": [claim.pk]}, follow=True
    ).content.decode()
    assert "1 domains verified." in page
    claim.refresh_from_db()
    assert claim.verified_by == DomainVerification.STAFF and claim.is_verified


def test_an_identity_provider_cannot_sign_in_an_address_outside_its_verified_domains(client, acme, idp):
    """Acme's IdP asserting the address of a member whose mailbox is elsewhere must not take the account over."""
    services.domain_mark_verified(claim=EmailDomain.objects.get())
    SingleSignOn.objects.update(enabled=True)
    victim = UserFactory(email="victim@elsewhere.example")
    Membership.objects.create(organization=acme.organization, user=victim, role=Role.MEMBER)
    page = idp_answer(
        client,
        client.post(reverse("sso:start_organization", args=["acme"])),
        idp,
        email="victim@elsewhere.example",
        uid="attacker",
    )
    assert "elsewhere.example is not a verified domain of Acme" in page.content.decode()
    assert not page.wsgi_request.user.is_authenticated
    assert SocialAccount.objects.count() == 0
