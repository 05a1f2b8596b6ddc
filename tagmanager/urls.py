from django.urls import include, path

from tagmanager import views

app_name = "tagmanager"

urlpatterns = [
    path("<slug:key>.js", views.loader, name="loader"),
    path("collect", views.collect, name="collect"),
    path("consent", views.consent, name="consent"),
    path("p/<slug:key>.gif", views.pixel, name="pixel"),
    path("preview/<slug:key>/<str:token>.js", views.preview, name="preview"),
    path("api/", include("tagmanager.api.urls")),
]
