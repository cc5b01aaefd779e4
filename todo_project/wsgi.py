"""The WSGI callable the Procfile's server runs: Django's, reading unread bodies to their end
(api/wsgi.py says why). https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/

Once loaded (the URL conf resolved, so every view module and the libraries they import are in
memory), the objects of the start-up are moved out of the garbage collector's sight
(`gc.freeze()`): about 240,000 of them, which every full collection otherwise walked, holding
the GIL for about 100 ms, a pause every thread of the worker waited out (the p95/p99 tail in
bench/RESULTS.md). Requests' own objects are collected as before."""

import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from api.wsgi import drain_request_body

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")

application = drain_request_body(get_wsgi_application(), limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)

get_resolver().url_patterns  # noqa: B018 - imports every view module now, before the freeze
gc.collect()
gc.freeze()
