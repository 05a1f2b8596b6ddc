import os

from django.core.wsgi import get_wsgi_application

from tagmanager.wsgi import LoaderFastPath

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
# Warm loader requests are answered from the cache before Django's request cycle.
application = LoaderFastPath(get_wsgi_application(), prefix="/tm/")
