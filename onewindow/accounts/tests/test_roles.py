"""The one permission table (roles.ROLE_PERMISSIONS), checked against the roles of
docs/product.md §ROLES.

The expected table is written out here on purpose: changing what a role may do must change
this test too.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from onewindow.accounts.roles import (
    ADMIN_SITE_ROLES,
    ROLE_PERMISSIONS,
    Perm,
    Role,
    admin_app_labels,
    has_perm,
    permissions_of,
)
from onewindow.testing import PERSONA_NAMES, Personas

# consult (docs/rules/consultation.md §K1–§K4): applicants and agents ask and complain; every
# department role answers its department's questions, reviewers and heads also publish FAQ.
ASK = {"consult.ask", "complaint.file"}
ANSWER = {"consult.answer"}
PUBLISH = {"consult.answer", "consult.publish"}

EXPECTED: dict[Role, set[str]] = {
    Role.APPLICANT: {"guide.read", "case.apply", *ASK},
    Role.AGENT: {"guide.read", "case.apply", "case.apply_for_others", *ASK},
    Role.CLERK: {"guide.read", "case.intake", "case.handover", "mandate.paper", *ANSWER},
    Role.HANDLER: {"guide.read", "task.handle", *ANSWER},
    Role.REVIEWER: {"guide.read", "task.handle", "task.review", *PUBLISH},
    Role.APPROVER: {
        *PUBLISH,
        "guide.read",
        "task.handle",
        "task.review",
        "task.approve",
        "decision.make",
        "certificate.manage",
    },
    Role.CHIEF: {
        *PUBLISH,
        "guide.read",
        "case.intake",
        "mandate.paper",
        "case.handover",
        "task.handle",
        "task.review",
        "task.approve",
        "decision.make",
        "certificate.manage",
        "correction.sign_off",
    },
    # ALL Art. 42: an extension needs the approval of the agency's head (机关负责人) …
    Role.HEAD: {"guide.read", "extension.approve", *PUBLISH},
    # … and, for joint / centralised handling, of the government head (本级人民政府负责人).
    Role.GOV_HEAD: {"guide.read", "extension.approve_joint"},
    Role.SUPERVISOR: {
        "guide.read",
        "case.read_all",
        "supervise",
        "correction.sign_off",
        "complaint.handle",
        "staff_record.read",
    },
    Role.ADMIN: {"guide.read", "catalog.edit", "calendar.edit", "user.manage", "rules.edit"},
    Role.AUDITOR: {"guide.read", "audit.read"},
    # docs/decisions.md §S9: roles, second factors, sessions, lockouts and signing keys
    Role.SECURITY_ADMIN: {"guide.read", "security.manage"},
}
# publicity: the lead department's reviewing roles answer objections to its publicity; the
# center administrator edits announcements and the site's help
# (docs/rules/publicity.md §L1, §L4, §L5).
for _role, _codes in {
    Role.REVIEWER: {"publicity.objection_answer"},
    Role.APPROVER: {"publicity.objection_answer"},
    Role.CHIEF: {"publicity.objection_answer"},
    Role.ADMIN: {"announcement.edit", "site.edit"},
}.items():
    EXPECTED[_role] = EXPECTED[_role] | _codes
# docs/rules/satisfaction.md §E4–§E6: the clerk (and the chief) arm the window's rating pad;
# every department role answers for its department's bad reviews; the supervisor decides appeals.
for _role, _codes in {
    Role.CLERK: {"rating.pad", "rating.handle"},
    Role.HANDLER: {"rating.handle"},
    Role.REVIEWER: {"rating.handle"},
    Role.APPROVER: {"rating.handle"},
    Role.CHIEF: {"rating.pad", "rating.handle"},
    Role.HEAD: {"rating.handle"},
    Role.SUPERVISOR: {"rating.appeal_decide"},
}.items():
    EXPECTED[_role] = EXPECTED[_role] | _codes
# Department staff read their own department's statistics, supervisors, administrators and the
# government head every department's (docs/rules/statistics.md §M6).
for _role, _codes in {
    **{
        role: {"stats.department"}
        for role in (Role.CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.CHIEF, Role.HEAD)
    },
    Role.GOV_HEAD: {"stats.all"},
    Role.SUPERVISOR: {"stats.all"},
    Role.ADMIN: {"stats.all"},
}.items():
    EXPECTED[_role] = EXPECTED[_role] | _codes
# key projects (docs/rules/projects.md §H4): the centre's administrator registers them.
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"project.manage"}
# delegation (docs/rules/delegation.md §V3, §V4, §V7): region administrators and point staff; the
# centre edits every region and, with the supervisors, reads the drift monitor.
EXPECTED[Role.REGION_ADMIN] = {"guide.read", "implementation.edit"}
EXPECTED[Role.POINT_CLERK] = {"guide.read", "case.point_receive", "mandate.paper"}
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {
    "implementation.edit_all",
    "implementation.drift_read",
}
EXPECTED[Role.SUPERVISOR] = EXPECTED[Role.SUPERVISOR] | {"implementation.drift_read"}
# conduct (docs/rules/hall.md §J2, §J16): supervisors decide discipline records; department staff
# read and acknowledge their own.
EXPECTED[Role.SUPERVISOR] = EXPECTED[Role.SUPERVISOR] | {"conduct.discipline_decide"}
for _role in (Role.CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.CHIEF, Role.HEAD):
    EXPECTED[_role] = EXPECTED[_role] | {"conduct.discipline_own"}
# agencies (docs/rules/agencies.md §I7–§I11): the registry, the agency's desk, report review.
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"agency.manage"}
EXPECTED[Role.AGENCY] = {"guide.read", "agency.work"}
for _role in (Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.CHIEF):
    EXPECTED[_role] = EXPECTED[_role] | {"agency.report_review"}
# appointments (docs/rules/hall.md §J4, §J8): the centre's chief and administrator set the hours
# and assign extended services; the window's clerks see today's appointments and check in.
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"hall.manage", "hall.desk"}
EXPECTED[Role.CHIEF] = EXPECTED[Role.CHIEF] | {"hall.manage", "hall.desk"}
EXPECTED[Role.CLERK] = EXPECTED[Role.CLERK] | {"hall.desk"}
# queue (docs/rules/hall.md §J12, §J14): window staff call tickets; chiefs, supervisors and the
# administrator read the waiting and service times.
EXPECTED[Role.CLERK] = EXPECTED[Role.CLERK] | {"queue.serve"}
EXPECTED[Role.CHIEF] = EXPECTED[Role.CHIEF] | {"queue.serve", "queue.stats"}
EXPECTED[Role.SUPERVISOR] = EXPECTED[Role.SUPERVISOR] | {"queue.stats"}
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"queue.stats"}


def test_the_table_covers_every_role() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role) == set(EXPECTED)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_its_permissions(role: Role) -> None:
    assert {str(p) for p in ROLE_PERMISSIONS[role]} == EXPECTED[role]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_each_persona_holds_exactly_its_roles_permissions(personas: Personas, name: str) -> None:
    user = personas.get(name)
    granted = {str(p) for p in Perm if has_perm(user, p)}
    assert granted == EXPECTED[Role(user.role)]
    assert {str(p) for p in permissions_of(user)} == granted
    assert all(user.can(p) == (str(p) in granted) for p in Perm)


@pytest.mark.parametrize("perm", list(Perm))
def test_anonymous_users_hold_no_permission(perm: Perm) -> None:
    assert not has_perm(AnonymousUser(), perm)
    assert not has_perm(None, perm)
    assert permissions_of(AnonymousUser()) == frozenset()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["admin", "chief_a", "supervisor", "applicant"])
def test_inactive_users_hold_no_permission(personas: Personas, name: str) -> None:
    user = personas.get(name)
    user.is_active = False
    assert not any(has_perm(user, p) for p in Perm)
    assert permissions_of(user) == frozenset()


def test_only_the_admin_role_manages_apps_in_the_django_admin() -> None:
    assert set(ADMIN_SITE_ROLES) == {Role.ADMIN}
    assert admin_app_labels(Role.ADMIN) == {
        "accounts",  # sign-in lockouts (axes) went to the security console (docs/decisions.md §S9)
        "catalog",
        "lists",
        "search",
        "calendars",
        "publicity",
        "sitehelp",
        "ratings",
        "bundles",
        "projects",
        "conduct",
        "agencies",
        "appointments",
        "queue",
    }
    for role in set(Role) - {Role.ADMIN}:
        assert admin_app_labels(role) == frozenset()
