from django.contrib import admin
from django.urls import include, path

from runs.api.files import artifact_content
from skyvern_site.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # Artifact files: a signed link or the owning organization's API key (runs/api/files.py).
    path("artifacts/<str:artifact_id>/content", artifact_content, name="artifact-content"),
    # The dashboard before the API: ninja adds an "api-root" pattern at "" that would hide "/".
    path("", include("runs.urls")),
    path("", api.urls),
]
