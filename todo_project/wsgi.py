"""The WSGI callable the Procfile's server runs: Django's, reading unread bodies to their end
(api/wsgi.py says why). https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from api.wsgi import drain_request_body

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")

application = drain_request_body(get_wsgi_application(), limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
