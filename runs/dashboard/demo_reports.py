"""A public demo page with files to download, for download_files tasks (`/demo/reports`)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

REPORTS = {
    "sales-january.csv": "month,orders,revenue\nJanuary,112,8420.50\n",
    "sales-february.csv": "month,orders,revenue\nFebruary,98,7310.00\n",
    "sales-march.csv": "month,orders,revenue\nMarch,131,9975.25\n",
}


def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "demo/reports.html", {"reports": sorted(REPORTS)})


def report_file(request: HttpRequest, name: str) -> HttpResponse:
    if name not in REPORTS:
        raise Http404("No such report")
    response = HttpResponse(REPORTS[name], content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
