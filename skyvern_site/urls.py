from django.contrib import admin
from django.urls import include, path

from runs.api.files import artifact_content
from runs.api.session_files import session_file
from runs.api.upload_files import upload_content
from skyvern_site.api import api

# Django's own 404s and 500s answer {"detail": ...} on API paths and HTML pages elsewhere (errors.py).
handler404 = "skyvern_site.errors.page_not_found"
handler500 = "skyvern_site.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # Artifact files: a signed link or the owning organization's API key (runs/api/files.py). The /v1 form is
    # the SDK's artifacts.get_artifact_content; it comes before the API's own /v1 patterns.
    path("artifacts/<str:artifact_id>/content", artifact_content, name="artifact-content"),
    path("v1/artifacts/<str:artifact_id>/content", artifact_content, name="artifact-content-v1"),
    path("v1/artifacts/<str:artifact_id>/content/", artifact_content),
    # A browser session's recordings (runs/api/session_files.py): a signed link or the owner's API key.
    path("browser_sessions/<str:session_id>/files/<str:filename>", session_file, name="session-file"),
    # Uploaded files (runs/api/upload_files.py): a signed link or the owner's API key.
    path("uploads/<str:organization_id>/<str:token>/<str:filename>", upload_content, name="upload-file"),
    # The dashboard before the API: ninja adds an "api-root" pattern at "" that would hide "/".
    path("", include("runs.urls")),
    path("", api.urls),
]
