"""Test support shared by the test modules (never imported by the application itself).

live_server: the API as a real server process (the Procfile's); concurrency: run calls at the
same moment; auth: signed tokens and clients; jwks: an issuer's keys and a JWKS endpoint over HTTP;
snapshot: everything stored, to prove a refused request changed nothing; environment: skip
(or, in CI, fail) when an outside service is missing.
"""
