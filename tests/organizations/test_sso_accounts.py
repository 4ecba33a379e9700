"""Issue 17's account rules through a signed SAML answer: one account per person, one organization per identity,
the same-email rule of invitations."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.models import User
from organizations.models import Invitation, InvitationStatus, Membership, Role, SingleSignOn
from organizations.services.invitations import invitation_issue
from tests.factories import PASSWORD, ProgramFactory, UserFactory
from tests.organizations.saml_idp import authn_request_id
from tests.organizations.test_sso_saml import idp_location

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sp_host")]


def sign_on(client, slug, idp, *, email, uid):
    """From the organization's start page to its IdP and back to its ACS with a signed answer; the page after."""
    request_id = authn_request_id(idp_location(client.post(reverse("sso:start_organization", args=[slug]))))
    base = f"http://sp.example.com/accounts/saml/{slug}"
    answer = idp.response(
        acs_url=f"{base}/acs/", audience=f"{base}/metadata/", uid=uid, email=email, in_response_to=request_id
    )
    acs = client.post(f"{base}/acs/", {"SAMLResponse": answer})
    return client.get(acs["Location"], follow=True)


def test_a_person_in_several_organizations_keeps_one_account(client, idp, sso_organization):
    """Ada has a password account in Beta (no SSO); Acme invites her; she accepts through Acme's sign-on."""
    acme = sso_organization("acme")
    beta = ProgramFactory(organization__slug="beta")
    ada = UserFactory(email="ada@acme.example")
    Membership.objects.create(organization=beta.organization, program=beta, user=ada, role=Role.MENTOR)
    invitation_issue(organization=acme.organization, program=acme, email="ada@acme.example", role=Role.MENTEE)
    page = sign_on(client, "acme", idp, email="ada@acme.example", uid="acme-ada")
    assert page.wsgi_request.user == ada
    assert User.objects.filter(email__iexact="ada@acme.example").count() == 1
    roles = set(Membership.objects.filter(user=ada).values_list("organization__slug", "role"))
    assert roles == {("beta", Role.MENTOR), ("acme", Role.MENTEE)}
    client.logout()
    # Acme does not require single sign-on: her password still works, for Beta.
    assert client.post(reverse("account_login"), {"login": ada.email, "password": PASSWORD}).status_code == 302
    client.logout()
    again = sign_on(client, "acme", idp, email="ada@acme.example", uid="acme-ada")
    assert again.wsgi_request.user == ada
    assert SocialAccount.objects.filter(user=ada).count() == 1


def test_an_identity_is_bound_to_its_organization(client, idp, sso_organization):
    """The same IdP (same key, same uid) set up by another organization does not reach Acme's person."""
    sso_organization("acme", jit=True)
    sso_organization("beta", jit=True)
    sign_on(client, "acme", idp, email="ada@acme.example", uid="shared-uid")
    ada = User.objects.get(email="ada@acme.example")
    assert SocialAccount.objects.get(user=ada).provider == "sso-acme"
    client.logout()
    page = sign_on(client, "beta", idp, email="ada@acme.example", uid="shared-uid")
    assert "acme.example is not a verified domain of Beta" in page.content.decode()
    assert not page.wsgi_request.user.is_authenticated
    client.logout()
    page = sign_on(client, "beta", idp, email="bob@beta.example", uid="shared-uid")
    assert page.wsgi_request.user.email == "bob@beta.example"  # a different person: Beta's own uid space
    assert set(SocialAccount.objects.values_list("provider", "uid", "user__email")) == {
        ("sso-acme", "shared-uid", "ada@acme.example"),
        ("sso-beta", "shared-uid", "bob@beta.example"),
    }


def test_an_invitation_is_accepted_only_by_its_own_address(client, idp, sso_organization):
    acme = sso_organization("acme")
    invitation, _ = invitation_issue(
        organization=acme.organization, program=acme, email="grace@acme.example", role=Role.MENTOR
    )
    page = sign_on(client, "acme", idp, email="mallory@acme.example", uid="mallory")
    assert "You have no account here yet: ask Acme for an invitation." in page.content.decode()
    assert not User.objects.filter(email="mallory@acme.example").exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    sign_on(client, "acme", idp, email="GRACE@acme.example", uid="grace")
    assert Invitation.objects.get().status == InvitationStatus.ACCEPTED
    grace = User.objects.get(email__iexact="grace@acme.example")
    assert Membership.objects.filter(user=grace, program=acme, role=Role.MENTOR).exists()


def test_sign_on_is_refused_while_switched_off(client, idp, sso_organization):
    sso_organization("acme", jit=True)
    SingleSignOn.objects.update(enabled=False)
    page = sign_on_direct(client, idp)
    assert not page.wsgi_request.user.is_authenticated
    assert not User.objects.filter(email="ada@acme.example").exists()


def sign_on_direct(client, idp):
    """With the organization's start page gone (switched off), the IdP answers a stale request of ours."""
    response = idp.response(
        acs_url="http://sp.example.com/accounts/saml/acme/acs/",
        audience="http://sp.example.com/accounts/saml/acme/metadata/",
        uid="ada",
        email="ada@acme.example",
    )
    acs = client.post("/accounts/saml/acme/acs/", {"SAMLResponse": response})
    return client.get(acs["Location"], follow=True)
