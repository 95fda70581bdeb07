"""Writes on cases: application, submission and the intake decisions (ALL Art. 32,
docs/rules/licensing.md §B1, §G).

Every service is atomic, takes keyword arguments, checks the current state through
``transitions.transition`` and records an event. Views and API handlers only call these.
"""

from onewindow.cases.services.application import (
    SUBMIT_CHECKS,
    case_create_draft,
    case_resubmit,
    case_submit,
    case_withdraw,
)
from onewindow.cases.services.commitments import commitment_fulfil
from onewindow.cases.services.intake import (
    APPEAL_RIGHTS,
    MaterialFinding,
    case_accept,
    case_reject,
    case_request_correction,
    notice_issue,
)
from onewindow.cases.services.mandates import (
    MANDATE_LONGEST_YEARS,
    application_fields_copy,
    application_fields_set,
    false_commitment_record,
    mandate_check,
    mandate_latest_end,
    mandate_record,
    mandate_revoke,
)
from onewindow.cases.services.online import (
    SUBMIT_RELATED,
    ApplicationChanges,
    CommitmentSignature,
    SaveResult,
    Submission,
    application_file_remove,
    application_resubmit,
    application_save,
    application_save_and_send,
    application_start,
    application_submit,
    application_withdraw,
)
from onewindow.cases.services.periodic import cases_accept_deemed, commitments_terminate_overdue
from onewindow.cases.services.walk_in import (
    WalkInApplicant,
    applicant_for_window,
    case_register_walk_in,
)

__all__ = [
    "APPEAL_RIGHTS",
    "MANDATE_LONGEST_YEARS",
    "SUBMIT_CHECKS",
    "SUBMIT_RELATED",
    "ApplicationChanges",
    "CommitmentSignature",
    "MaterialFinding",
    "SaveResult",
    "Submission",
    "WalkInApplicant",
    "applicant_for_window",
    "application_fields_copy",
    "application_fields_set",
    "application_file_remove",
    "application_resubmit",
    "application_save",
    "application_save_and_send",
    "application_start",
    "application_submit",
    "application_withdraw",
    "case_accept",
    "case_create_draft",
    "case_register_walk_in",
    "case_reject",
    "case_request_correction",
    "case_resubmit",
    "case_submit",
    "case_withdraw",
    "cases_accept_deemed",
    "commitment_fulfil",
    "commitments_terminate_overdue",
    "false_commitment_record",
    "mandate_check",
    "mandate_latest_end",
    "mandate_record",
    "mandate_revoke",
    "notice_issue",
]
