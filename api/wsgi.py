"""The WSGI callable's one addition to Django's: an unread request body is read to its end.

A response that does not need the body (a 401, a 404, a 503 while the database is away) would
otherwise leave it unread, and the HTTP server (granian) then closes the keep-alive connection
right after the response, without `Connection: close`: a client that reuses the connection for
its next request meets a reset (urllib3 does not retry a PATCH; a proxy answers 502). Reading
the rest, up to the body limit, keeps the connection usable. Bodies over the limit are not read
(413 anyway): the server closes those connections, as it should.
"""

from collections.abc import Callable, Iterable

_CHUNK = 64 * 1024


def drain_request_body(app: Callable, *, limit: int) -> Callable:
    """`app`, reading what is left of a request body of at most `limit` bytes after it ran."""

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        response = app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if 0 < length <= limit:
            stream = environ["wsgi.input"]
            try:
                while stream.read(_CHUNK):
                    pass
            except OSError:  # the client went away: nothing left to keep alive
                pass
        return response

    return application
