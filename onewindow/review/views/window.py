"""The window's page of the reviewers' material requests, a tab of the clerk's intake pages.

A reviewing department asks for more material "through the window": the clerk of the
department that accepted the case passes each request on to the applicant and records the
answer, with the scanned files, on the request's answer page. Review adds the tab to the
intake tab bar (``cases.window_tabs``) from its ``AppConfig.ready``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm
from onewindow.cases.window_tabs import tab_bar
from onewindow.review.selectors.materials import material_requests_for_window

TAB = "material_requests"


@login_required
@require_GET
def material_requests(request: HttpRequest) -> HttpResponse:
    """Open material requests of the reviewing departments on cases this department accepted."""
    user = require_perm(request, Perm.CASE_INTAKE, target="intake")
    return render(
        request,
        "review/window/material_requests.html",
        {"tab": TAB, "requests": material_requests_for_window(user), **tab_bar(user)},
    )


def open_request_count(user: object) -> int:
    """The tab's count: the open requests the clerk's department has to pass on."""
    return material_requests_for_window(user).count()


urlpatterns = [
    path("intake/material-requests/", material_requests, name="intake_material_requests"),
]
