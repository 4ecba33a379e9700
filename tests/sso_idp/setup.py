"""The test identity provider's client and people.

``python -m tests.sso_idp.setup <redirect_uri> <client_id> <secret> <email:password>...``
"""

import sys

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from allauth.idp.oidc.models import Client  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402

redirect_uri, client_id, secret, *people = sys.argv[1:]
client = Client(id=client_id, name="Mentorship platform", skip_consent=True)
client.set_secret(secret)
client.set_redirect_uris([redirect_uri])
client.scopes = "openid\nprofile\nemail"
client.save()
for person in people:
    email, password = person.split(":")
    user = User.objects.create_user(username=email.split("@")[0], email=email, password=password, first_name="Ada")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
