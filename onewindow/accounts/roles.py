"""Roles (docs/product.md §C2) and the one permission table every later check uses."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    AGENT = "agent", _("代办员")
    CLERK = "clerk", _("窗口受理人员")
    HANDLER = "handler", _("承办人")
    REVIEWER = "reviewer", _("审核人")
    APPROVER = "approver", _("批准人")
    CHIEF = "chief", _("首席代表")
    # ALL Art. 42: the head of the agency (the lead department) approves an extension …
    HEAD = "head", _("机关负责人")
    # … and for joint / centralised handling the head of the government at that level, who sits
    # in no department (ALL Art. 26, 42 para. 2; docs/rules/licensing.md §B2).
    GOV_HEAD = "gov_head", _("本级人民政府负责人")
    SUPERVISOR = "supervisor", _("电子监察人员")
    # docs/rules/delegation.md §V4: manages the implementation list of one district (and the
    # streets and community points under it).
    REGION_ADMIN = "region_admin", _("区域管理员")
    # docs/rules/delegation.md §V3: staff of a community point (社区便民服务点), who receive
    # applications for the point's items on behalf of the implementing department (代收).
    POINT_CLERK = "point_clerk", _("便民服务点工作人员")
    # 三员分立 (docs/decisions.md §S9): the system administrator (configuration, catalog, users),
    # the security administrator (roles, second factors, sessions, lockouts, signing keys) and the
    # audit administrator (reads the audit trail only) are three roles; an account has one role.
    ADMIN = "admin", _("中心管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")
    # docs/rules/agencies.md §I8: a user of an intermediary agency (中介机构), who sees only the
    # jobs of that agency (agencies.AgencyAccount).
    AGENCY = "agency", _("中介机构")


STAFF_ROLES = frozenset(Role) - {Role.APPLICANT, Role.AGENT, Role.AGENCY}
# Roles bound to one region instead (docs/rules/delegation.md §V3, §V4).
REGION_ROLES = frozenset({Role.REGION_ADMIN, Role.POINT_CLERK})
# docs/decisions.md §S9: the three administrators. Only the security administrator grants or
# takes away these roles, never on their own account; the system administrator's Django admin
# neither lists nor edits the other two.
ADMINISTRATOR_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
# Roles whose work is bound to one department's cases.
DEPARTMENT_ROLES = frozenset(
    {Role.CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.CHIEF, Role.HEAD}
)


def role_label(role: str) -> str:
    """A role code's name (the code itself when it is no longer a role)."""
    return str(Role(role).label) if role in Role.values else role


class Perm(StrEnum):
    """What a role may do. Object-level checks (department, ownership) come on top."""

    GUIDE_READ = "guide.read"
    CASE_APPLY = "case.apply"  # file and follow one's own (or a mandating applicant's) cases
    CASE_APPLY_FOR_OTHERS = "case.apply_for_others"
    CASE_INTAKE = "case.intake"  # accept / correct / reject at the window
    # record a signed paper mandate from its scan, verify it or a revocation with the principal
    # present — at a window or a community point (docs/rules/mandates.md §T3)
    MANDATE_PAPER = "mandate.paper"
    CASE_HANDOVER = "case.handover"  # hand results out at the window
    TASK_HANDLE = "task.handle"
    TASK_REVIEW = "task.review"
    TASK_APPROVE = "task.approve"
    EXTENSION_APPROVE = "extension.approve"  # the agency head's approval, ALL Art. 42 para. 1
    EXTENSION_APPROVE_JOINT = "extension.approve_joint"  # the government head's, Art. 42 para. 2
    DECISION_MAKE = "decision.make"  # the lead department's grant / refusal
    CERTIFICATE_MANAGE = "certificate.manage"  # revoke, withdraw, cancel a licence
    CORRECTION_SIGN_OFF = "correction.sign_off"  # second correction notice
    CASE_READ_ALL = "case.read_all"
    SUPERVISE = "supervise"  # cards, letters, reports
    CATALOG_EDIT = "catalog.edit"
    CALENDAR_EDIT = "calendar.edit"
    USER_MANAGE = "user.manage"
    RULES_EDIT = "rules.edit"
    AUDIT_READ = "audit.read"
    # docs/decisions.md §S9: staff roles, second factors, sessions, sign-in lockouts, signing keys
    SECURITY_MANAGE = "security.manage"
    # publicity: announcements, objections to result publicity (公示异议), the site's help pages,
    # links and error reports (docs/rules/publicity.md §L1, §L4, §L5)
    ANNOUNCEMENT_EDIT = "announcement.edit"  # write, publish, withdraw announcements; rules
    OBJECTION_ANSWER = "publicity.objection_answer"  # the lead department answers objections
    SITE_EDIT = "site.edit"  # help pages, links, error reports
    # consult: questions, FAQ, complaints, staff records (docs/rules/consultation.md)
    CONSULT_ASK = "consult.ask"  # ask a department a question, follow one's own questions
    CONSULT_ANSWER = "consult.answer"  # answer one's own department's questions
    CONSULT_PUBLISH = "consult.publish"  # publish an answered question as FAQ (with consent)
    COMPLAINT_FILE = "complaint.file"  # complain about a window or a staff member
    COMPLAINT_HANDLE = "complaint.handle"  # investigate, decide and reply to complaints
    STAFF_RECORD_READ = "staff_record.read"  # a staff member's record (complaints, reviews)
    # ratings (好差评, docs/rules/satisfaction.md §E4–§E6)
    RATING_PAD = "rating.pad"  # arm the window's rating pad for the service just given
    RATING_HANDLE = "rating.handle"  # the department's bad reviews: call back, rectify, appeal
    RATING_APPEAL_DECIDE = "rating.appeal_decide"  # decide appeals against ratings
    # stats (docs/rules/statistics.md §M6)
    STATS_DEPARTMENT = "stats.department"  # the statistics dashboard of one's own department
    STATS_ALL = "stats.all"  # the statistics dashboard of every department
    # key projects (docs/rules/projects.md §H4): register projects and schedule joint activities
    PROJECT_MANAGE = "project.manage"
    # delegation (docs/rules/delegation.md §V3–§V7)
    POINT_RECEIVE = "case.point_receive"  # receive (代收) an application at a community point
    IMPLEMENTATION_EDIT = "implementation.edit"  # one's own region's implementation list
    IMPLEMENTATION_EDIT_ALL = "implementation.edit_all"  # every region's (the centre)
    DRIFT_READ = "implementation.drift_read"  # the drift monitor
    # conduct (docs/rules/hall.md §J2, §J16–§J19): discipline records, the monthly evaluation's
    # computation on demand and the bottom windows' rectifications
    DISCIPLINE_DECIDE = "conduct.discipline_decide"
    DISCIPLINE_OWN = "conduct.discipline_own"  # one's own records: read and acknowledge
    # agencies: the intermediary services market (docs/rules/agencies.md)
    AGENCY_MANAGE = "agency.manage"  # the registry, requirements, assessments, violations
    AGENCY_WORK = "agency.work"  # an agency's desk: its own jobs, bids and reports
    AGENCY_REPORT_REVIEW = "agency.report_review"  # accept or return a report, rate the job
    # queue (docs/rules/hall.md §J12, §J14): call and serve tickets at one's own windows (and
    # issue one for an applicant); read the waiting and service times of every window
    QUEUE_SERVE = "queue.serve"
    QUEUE_STATS = "queue.stats"
    # appointments (docs/rules/hall.md §J4, §J8): the centre's hours, slots and seats, and the
    # assignment of extended services; the window's list of today's appointments and check-in
    HALL_MANAGE = "hall.manage"
    HALL_DESK = "hall.desk"


# Every department role answers for its department's bad reviews (docs/rules/satisfaction.md §E5)
# and reads its department's statistics (docs/rules/statistics.md §M6).
_DEPT_READ = {Perm.GUIDE_READ, Perm.RATING_HANDLE, Perm.STATS_DEPARTMENT}
# consult (docs/rules/consultation.md §K1, §K2): every department role answers its department's
# questions; its reviewers and heads also publish them as FAQ.
_ANSWER = {Perm.CONSULT_ANSWER}
_PUBLISH = {Perm.CONSULT_ANSWER, Perm.CONSULT_PUBLISH}
_ASK = {Perm.CONSULT_ASK, Perm.COMPLAINT_FILE}
ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.APPLICANT: frozenset({Perm.GUIDE_READ, Perm.CASE_APPLY} | _ASK),
    Role.AGENT: frozenset({Perm.GUIDE_READ, Perm.CASE_APPLY, Perm.CASE_APPLY_FOR_OTHERS} | _ASK),
    Role.CLERK: frozenset(
        _DEPT_READ
        | _ANSWER
        | {Perm.CASE_INTAKE, Perm.CASE_HANDOVER, Perm.RATING_PAD, Perm.MANDATE_PAPER}
    ),
    Role.HANDLER: frozenset(_DEPT_READ | _ANSWER | {Perm.TASK_HANDLE}),
    Role.REVIEWER: frozenset(_DEPT_READ | _PUBLISH | {Perm.TASK_HANDLE, Perm.TASK_REVIEW}),
    Role.APPROVER: frozenset(
        _DEPT_READ
        | _PUBLISH
        | {
            Perm.TASK_HANDLE,
            Perm.TASK_REVIEW,
            Perm.TASK_APPROVE,
            Perm.DECISION_MAKE,
            Perm.CERTIFICATE_MANAGE,
        }
    ),
    Role.CHIEF: frozenset(
        _DEPT_READ
        | _PUBLISH
        | {
            Perm.RATING_PAD,
            Perm.CASE_INTAKE,
            Perm.MANDATE_PAPER,
            Perm.CASE_HANDOVER,
            Perm.TASK_HANDLE,
            Perm.TASK_REVIEW,
            Perm.TASK_APPROVE,
            Perm.DECISION_MAKE,
            Perm.CERTIFICATE_MANAGE,
            Perm.CORRECTION_SIGN_OFF,
        }
    ),
    # ALL Art. 42 (docs/rules/licensing.md §B2): an extension is the head's decision, not an
    # approver's.
    Role.HEAD: frozenset(_DEPT_READ | _PUBLISH | {Perm.EXTENSION_APPROVE}),
    Role.GOV_HEAD: frozenset({Perm.GUIDE_READ, Perm.EXTENSION_APPROVE_JOINT, Perm.STATS_ALL}),
    Role.SUPERVISOR: frozenset(
        {
            Perm.GUIDE_READ,
            Perm.CASE_READ_ALL,
            Perm.SUPERVISE,
            Perm.CORRECTION_SIGN_OFF,
            Perm.COMPLAINT_HANDLE,
            Perm.STAFF_RECORD_READ,
            Perm.RATING_APPEAL_DECIDE,
            Perm.STATS_ALL,
        }
    ),
    Role.ADMIN: frozenset(
        {
            Perm.GUIDE_READ,
            Perm.CATALOG_EDIT,
            Perm.CALENDAR_EDIT,
            Perm.USER_MANAGE,
            Perm.RULES_EDIT,
            Perm.STATS_ALL,
        }
    ),
    Role.AUDITOR: frozenset({Perm.GUIDE_READ, Perm.AUDIT_READ}),
    Role.SECURITY_ADMIN: frozenset({Perm.GUIDE_READ, Perm.SECURITY_MANAGE}),
    Role.REGION_ADMIN: frozenset({Perm.GUIDE_READ, Perm.IMPLEMENTATION_EDIT}),
    Role.POINT_CLERK: frozenset({Perm.GUIDE_READ, Perm.POINT_RECEIVE, Perm.MANDATE_PAPER}),
}

# delegation (docs/rules/delegation.md §V4, §V7): the centre's administrator edits every region's
# implementation list; administrators and supervisors read the drift monitor.
_DELEGATION_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ADMIN: frozenset({Perm.IMPLEMENTATION_EDIT_ALL, Perm.DRIFT_READ}),
    Role.SUPERVISOR: frozenset({Perm.DRIFT_READ}),
}
for _role, _perms in _DELEGATION_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms

# publicity (docs/rules/publicity.md §L1, §L4, §L5): the center administrator edits announcements
# and the site's help; the lead department's reviewing roles answer objections to its publicity.
_PUBLICITY_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ADMIN: frozenset({Perm.ANNOUNCEMENT_EDIT, Perm.SITE_EDIT}),
    Role.REVIEWER: frozenset({Perm.OBJECTION_ANSWER}),
    Role.APPROVER: frozenset({Perm.OBJECTION_ANSWER}),
    Role.CHIEF: frozenset({Perm.OBJECTION_ANSWER}),
}
for _role, _perms in _PUBLICITY_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms
# key projects (docs/rules/projects.md §H4): the centre's administrator registers them.
ROLE_PERMISSIONS[Role.ADMIN] = ROLE_PERMISSIONS[Role.ADMIN] | {Perm.PROJECT_MANAGE}

# agencies (docs/rules/agencies.md §I7–§I11): the centre's administrator keeps the registry,
# assesses agencies and records violations; an agency's users work its jobs; the department's
# handling roles review reports, rate jobs and choose where the law has the department choose.
_AGENCIES_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ADMIN: frozenset({Perm.AGENCY_MANAGE}),
    Role.AGENCY: frozenset({Perm.GUIDE_READ, Perm.AGENCY_WORK}),
    Role.HANDLER: frozenset({Perm.AGENCY_REPORT_REVIEW}),
    Role.REVIEWER: frozenset({Perm.AGENCY_REPORT_REVIEW}),
    Role.APPROVER: frozenset({Perm.AGENCY_REPORT_REVIEW}),
    Role.CHIEF: frozenset({Perm.AGENCY_REPORT_REVIEW}),
}
for _role, _perms in _AGENCIES_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS.get(_role, frozenset()) | _perms


# conduct (docs/rules/hall.md §J2, §J16–§J19): supervisors decide discipline records and record
# the bottom windows' rectifications; department staff read and acknowledge their own; the
# administrator's RULES_EDIT covers the evaluation settings.
_CONDUCT_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.SUPERVISOR: frozenset({Perm.DISCIPLINE_DECIDE}),
    **{role: frozenset({Perm.DISCIPLINE_OWN}) for role in DEPARTMENT_ROLES},
}
for _role, _perms in _CONDUCT_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms


# queue (docs/rules/hall.md §J12, §J14): window clerks and chief representatives call tickets at
# the windows they are linked to; chiefs, supervisors and the centre's administrator read the
# waiting and service times.
_QUEUE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.CLERK: frozenset({Perm.QUEUE_SERVE}),
    Role.CHIEF: frozenset({Perm.QUEUE_SERVE, Perm.QUEUE_STATS}),
    Role.SUPERVISOR: frozenset({Perm.QUEUE_STATS}),
    Role.ADMIN: frozenset({Perm.QUEUE_STATS}),
}
for _role, _perms in _QUEUE_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms

# Only these roles get ``is_staff`` (the Django admin site); superusers keep it whatever their role.
ADMIN_SITE_ROLES = frozenset({Role.ADMIN})

# The apps whose models the Django admin lets a role manage, by the permission that covers them.
# The auth backend turns these into Django model permissions (see accounts.backends).
ADMIN_APPS: dict[Perm, frozenset[str]] = {
    # sign-in lockouts (axes) are the security administrator's, on their console
    # (docs/decisions.md §S9)
    Perm.USER_MANAGE: frozenset({"accounts"}),
    # + public lists, search words, themes (docs/rules/bundles.md §R1)
    # + the queue's business categories (docs/rules/hall.md §J10)
    Perm.CATALOG_EDIT: frozenset({"catalog", "lists", "search", "bundles", "queue"}),
    Perm.CALENDAR_EDIT: frozenset({"calendars"}),
    Perm.ANNOUNCEMENT_EDIT: frozenset({"publicity"}),  # announcements, publicity rules
    Perm.SITE_EDIT: frozenset({"sitehelp"}),  # help pages, links, error reports
    Perm.RULES_EDIT: frozenset({"ratings"}),  # the 好差评 settings row (the rest is read-only)
    Perm.PROJECT_MANAGE: frozenset({"projects"}),  # key projects (read mostly)
    Perm.AGENCY_MANAGE: frozenset({"agencies"}),  # the intermediary agencies' registry
}
# conduct (docs/rules/hall.md §J3): the monthly evaluation's settings row (the rest read-only)
ADMIN_APPS[Perm.RULES_EDIT] = ADMIN_APPS[Perm.RULES_EDIT] | {"conduct"}


def permissions_of(user: Any) -> frozenset[Perm]:
    """Every permission the user's role grants; none for anonymous or inactive users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return ROLE_PERMISSIONS.get(user.role, frozenset())


def has_perm(user: Any, perm: Perm) -> bool:
    """True when the user's role grants ``perm``. Anonymous users hold no permission."""
    return perm in permissions_of(user)


def admin_app_labels(role: str) -> frozenset[str]:
    """The apps a role manages in the Django admin (empty for roles without admin access)."""
    if role not in ADMIN_SITE_ROLES:
        return frozenset()
    perms = ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset().union(*(apps for perm, apps in ADMIN_APPS.items() if perm in perms))


# appointments (docs/rules/hall.md §J4, §J8): the centre's chief and administrator set the hours,
# slots and seats and assign extended services; the window's clerks see today's appointments.
_APPOINTMENT_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ADMIN: frozenset({Perm.HALL_MANAGE, Perm.HALL_DESK}),
    Role.CHIEF: frozenset({Perm.HALL_MANAGE, Perm.HALL_DESK}),
    Role.CLERK: frozenset({Perm.HALL_DESK}),
}
for _role, _perms in _APPOINTMENT_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms
ADMIN_APPS[Perm.HALL_MANAGE] = frozenset({"appointments"})  # hours, slots, seats (admin only)
