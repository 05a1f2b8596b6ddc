from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="demo/index.html"), name="demo"),
    path("admin/", admin.site.urls),
    path("tm/", include("tagmanager.urls")),
]
