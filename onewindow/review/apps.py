from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "onewindow.review"
    label = "review"
    verbose_name = _("并联审批")

    def ready(self) -> None:
        # The review notices (docs/rules/licensing.md §B7) register their PDF bodies with
        # cases.notices. docs/rules/workdays.md §A4: a calendar change recomputes the tasks' and
        # certificates' due dates. Its event kinds and hand-offs (the review opens on acceptance)
        # register with cases.
        from onewindow.calendars.recompute import recomputer_register
        from onewindow.cases.window_tabs import WindowTab, window_tab_add
        from onewindow.review import events  # noqa: F401
        from onewindow.review.notices import decisions, tasks  # noqa: F401
        from onewindow.review.recompute import certificate_dues_recompute, tasks_recompute
        from onewindow.review.views.window import TAB, open_request_count

        recomputer_register("review_tasks", tasks_recompute)
        recomputer_register("review_certificate_dues", certificate_dues_recompute)

        # The window clerk's tab of the material requests reviewers send through the window.
        window_tab_add(
            WindowTab(
                name=TAB,
                label=_("审查补充材料"),
                url_name="review:intake_material_requests",
                count=open_request_count,
            )
        )
