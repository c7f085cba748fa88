from django.contrib import admin
from django.urls import include, path

from skyvern_site.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", api.urls),
    path("", include("runs.urls")),
]
