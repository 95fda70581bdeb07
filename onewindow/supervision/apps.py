from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "onewindow.supervision"
    label = "supervision"
    verbose_name = _("电子监察")

    def ready(self) -> None:
        # The reviewer's inbox and task page show the department's open cards.
        from onewindow.review.task_marks import TaskMarks, task_marks_register
        from onewindow.supervision.selectors import open_card_count, open_cards_by_case_department

        task_marks_register(
            "supervision_cards", TaskMarks(open_cards_by_case_department, open_card_count)
        )
