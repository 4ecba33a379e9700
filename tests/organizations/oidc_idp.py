"""A throwaway OpenID Connect identity provider for the tests, on a real local HTTP port (a thread).

It answers the discovery document, its keys, the token endpoint (an ID token
signed with its throwaway key, or whatever a test asks for: another audience,
an expired one, another key) and userinfo. allauth reaches it over HTTP as it
would a real issuer; the browser's part (the authorization page) is played by
the test, which goes straight to our callback with a code and the state.
"""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "throwaway-1"


class ThrowawayOIDC:
    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.answer(sub="sub-boss-1", email="boss@acme.example")

    def answer(self, *, signing_key=None, error: str = "", age: int = 0, **claims) -> None:
        """What the next token request gets: these claims (aud, iss, exp... filled in unless given)."""
        now = int(time.time()) - age
        self.claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300, **claims}
        self.userinfo = {k: v for k, v in claims.items() if k not in ("aud", "iss", "oid")}
        self.signing_key = signing_key or self.key
        self.token_error = error

    def id_token(self) -> str:
        return jwt.encode(self.claims, self.signing_key, algorithm="RS256", headers={"kid": KID})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(idp: ThrowawayOIDC):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _json(self, body: dict, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": idp.issuer,
                        "authorization_endpoint": f"{idp.issuer}/authorize",
                        "token_endpoint": f"{idp.issuer}/token",
                        "userinfo_endpoint": f"{idp.issuer}/userinfo",
                        "jwks_uri": f"{idp.issuer}/jwks",
                        "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    }
                )
            elif self.path == "/jwks":
                jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(idp.key.public_key()))
                self._json({"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]})
            elif self.path == "/userinfo":
                self._json(idp.userinfo)
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path != "/token":
                self._json({"error": "not_found"}, 404)
            elif idp.token_error:
                self._json({"error": idp.token_error}, 400)
            else:
                self._json(
                    {
                        "access_token": uuid.uuid4().hex,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": idp.id_token(),
                    }
                )

    return Handler
