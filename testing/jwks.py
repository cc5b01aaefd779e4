"""A token issuer for tests: key pairs that sign tokens, and a JWKS endpoint over HTTP."""

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm


@dataclass
class SigningKey:
    """An asymmetric key pair with a kid: signs tokens, publishes its public half as a JWK."""

    alg: str
    private_key: object
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def public_key(self):
        return self.private_key.public_key()

    def jwk(self, **overrides) -> dict:
        algorithm = {"Ed": OKPAlgorithm, "ES": ECAlgorithm}.get(self.alg[:2], RSAAlgorithm)
        jwk = algorithm.to_jwk(self.public_key, as_dict=True)
        jwk.update(kid=self.kid, alg=self.alg, use="sig")
        jwk.update(overrides)
        return {k: v for k, v in jwk.items() if v is not None}

    def sign(self, claims: dict, *, alg: str | None = None, **headers) -> str:
        headers = {"kid": self.kid, **headers}
        headers = {k: v for k, v in headers.items() if v is not None}
        return jwt.encode(claims, self.private_key, algorithm=alg or self.alg, headers=headers)


def new_private_key(alg: str):
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if alg == "ES384":
        return ec.generate_private_key(ec.SECP384R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)  # RS256, PS256


class JWKSServer:
    """A JWKS endpoint on 127.0.0.1 in a thread; counts requests, can fail, hang or redirect,
    or answer with any `body` (an HTML page, JSON without keys...) instead of the key set."""

    def __init__(self):
        self.keys: list[dict] = []
        self.requests: list[str] = []
        self.status = 200
        self.redirect_to: str | None = None
        self.delay = 0.0
        self.body: bytes | None = None
        self.content_type = "application/json"
        self.prefix = f"/{uuid.uuid4().hex}"  # a unique URL: a fresh process-wide key cache
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                time.sleep(server.delay)
                if server.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", server.redirect_to)
                    self.end_headers()
                    return
                body = server.body or json.dumps({"keys": server.keys}).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", server.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._handler = Handler
        self._serve(port=0)
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}{self.prefix}"
        self.url = f"{self.base_url}/jwks"

    def _serve(self, *, port: int) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def publish(self, *keys: "SigningKey | dict") -> None:
        self.keys = [key.jwk() if isinstance(key, SigningKey) else key for key in keys]

    @property
    def fetches(self) -> int:
        return sum(1 for path in self.requests if path == f"{self.prefix}/jwks")

    def stop(self) -> None:
        """Down: the port refuses connections until start()."""
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()

    def start(self) -> None:
        """Back up on the same port (and URL), with the same keys."""
        self._serve(port=self._httpd.server_address[1])
