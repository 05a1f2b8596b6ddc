import os

from django.core.wsgi import get_wsgi_application

from tagmanager.wsgi import FastPath

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
# The loader (when warm), collect beacons and pixel hits are answered before Django's request
# cycle, by the same code as the views.
application = FastPath(get_wsgi_application(), prefix="/tm/")
