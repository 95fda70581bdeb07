"""The event vocabulary (``cases.events``) and the hand-off dispatcher (``cases.subscriptions``).

The registry and the dispatcher are tested on their own instances with plain stand-ins; the last
tests read the source: every action code any module writes is a registered kind, and the apps
below notifications hand off by subscription, not by importing the apps above them.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from onewindow.cases.events import (
    EventKind,
    EventKinds,
    ToApplicant,
    ToDepartment,
    UnknownEventKind,
    event_kind,
    event_kinds,
    event_label,
    event_public_label,
    event_reason_public,
)
from onewindow.cases.subscriptions import Dispatcher

ROOT = Path(__file__).resolve().parents[2]  # the onewindow package


# --- the registry -------------------------------------------------------------------------------
def test_a_registered_kind_is_found_by_its_code():
    kinds = EventKinds()
    kind = EventKind("x_done", "做完了", "已完成", public_reason=True)
    kinds.register(kind)
    assert kinds.get("x_done") is kind and kinds.find("x_done") is kind
    assert kinds.find("y_done") is None
    with pytest.raises(UnknownEventKind):
        kinds.get("y_done")


def test_registering_the_same_kind_twice_is_harmless_but_a_second_meaning_is_refused():
    kinds = EventKinds()
    kind = EventKind("x_done", "做完了")
    kinds.register(kind)
    kinds.register(kind)  # a module imported twice, a second ready()
    with pytest.raises(ValueError, match="x_done"):
        kinds.register(EventKind("x_done", "另一个意思"))
    assert [k.code for k in kinds.all()] == ["x_done"]


def test_all_kinds_come_sorted_by_code():
    kinds = EventKinds()
    kinds.register(EventKind("b", "乙"), EventKind("a", "甲"))
    assert [k.code for k in kinds.all()] == ["a", "b"]


def test_labels_fall_back_to_the_code_and_public_names_to_none():
    assert event_label("accepted") == "受理"
    assert event_public_label("accepted_deemed") == "受理期限届满，依法视为受理"
    assert event_label("task_returned") == "部门内部退回上一环节"
    assert event_label("no_such_code") == "no_such_code"
    assert event_public_label("draft_saved") is None
    assert event_reason_public("rejected") and not event_reason_public("accepted")


def test_every_registered_kind_has_a_staff_name():
    # The staff history shows the name, never a bare code.
    assert [kind.code for kind in event_kinds() if not kind.label] == []


def test_every_app_registered_its_kinds_at_start_up():
    codes = {kind.code for kind in event_kinds()}
    # cases, review (ReviewConfig.ready) and certificates (CertificatesConfig.ready)
    assert {"submitted", "review_opened", "decision_granted", "certificate_issued"} <= codes
    assert event_kind("task_opened").notify is not None


def test_every_public_reason_belongs_to_a_kind_with_a_public_name():
    for kind in event_kinds():
        assert not kind.public_reason or kind.public_label is not None, kind.code


def test_the_review_starting_is_not_told_twice_to_the_applicant():
    # The acceptance message already names the departments and the deadline.
    assert event_kind("review_opened").notify is None
    assert isinstance(event_kind("accepted").notify, ToApplicant)
    assert isinstance(event_kind("task_opened").notify, ToDepartment)


# --- the dispatcher -----------------------------------------------------------------------------
def _event(action: str, old: str, new: str) -> Any:
    return SimpleNamespace(action=action, old_status=old, new_status=new)


def _recorder(calls: list[str], name: str) -> Any:
    def handler(case: Any, event: Any, actor: Any) -> None:
        calls.append(f"{name}:{event.action}:{actor}")

    return handler


def test_event_handlers_run_for_every_event_by_order_then_registration():
    calls: list[str] = []
    dispatcher = Dispatcher()
    dispatcher.on_event(_recorder(calls, "late"), order=200)
    dispatcher.on_event(_recorder(calls, "first"), order=0)
    dispatcher.on_event(_recorder(calls, "second"), order=0)
    dispatcher.dispatch(None, _event("file_added", "draft", "draft"), "me")
    assert calls == ["first:file_added:me", "second:file_added:me", "late:file_added:me"]


def test_an_event_handler_may_listen_to_some_kinds_only():
    calls: list[str] = []
    dispatcher = Dispatcher()
    dispatcher.on_event(_recorder(calls, "grant"), kinds=["decision_granted"])
    dispatcher.dispatch(None, _event("decision_refused", "in_review", "refused"), None)
    dispatcher.dispatch(None, _event("decision_granted", "in_review", "granted"), None)
    assert calls == ["grant:decision_granted:None"]


def test_status_handlers_run_on_entering_the_status_after_the_event_handlers():
    calls: list[str] = []
    dispatcher = Dispatcher()
    dispatcher.on_enter("accepted", _recorder(calls, "review"))
    dispatcher.on_event(_recorder(calls, "notify"))
    dispatcher.on_enter("withdrawn", _recorder(calls, "cancel"))
    dispatcher.dispatch(None, _event("accepted_deemed", "submitted", "accepted"), None)
    assert calls == ["notify:accepted_deemed:None", "review:accepted_deemed:None"]


def test_an_event_that_keeps_the_status_enters_nothing():
    calls: list[str] = []
    dispatcher = Dispatcher()
    dispatcher.on_enter("in_review", _recorder(calls, "entered"))
    dispatcher.dispatch(None, _event("extension_approved", "in_review", "in_review"), None)
    assert calls == []


def test_subscribing_the_same_handler_twice_calls_it_once():
    calls: list[str] = []
    dispatcher = Dispatcher()
    handler = _recorder(calls, "once")
    dispatcher.on_event(handler)
    dispatcher.on_event(handler)
    dispatcher.dispatch(None, _event("submitted", "draft", "submitted"), None)
    assert calls == ["once:submitted:None"]


def test_a_failing_handler_fails_the_write_that_called_it():
    def broken(case: Any, event: Any, actor: Any) -> None:
        raise RuntimeError("no")

    dispatcher = Dispatcher()
    dispatcher.on_enter("accepted", broken)
    with pytest.raises(RuntimeError):
        dispatcher.dispatch(None, _event("accepted", "submitted", "accepted"), None)


# --- the source: every written code is a kind ---------------------------------------------------
WRITERS = {"transition", "event_record", "deadline_event_record", "_notify"}
POSITIONAL = {"_task_event": 2}  # review.services.tasks: (task, actor, action, …)


def _module_strings(tree: ast.Module) -> dict[str, ast.expr]:
    values: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    values[target.id] = node.value
    return values


def _codes(node: ast.expr | None, constants: dict[str, ast.expr]) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _codes(node.body, constants) | _codes(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return _codes(constants[node.id], constants)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return set().union(*(_codes(elt, constants) for elt in node.elts))
    return set()


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


# Cards and letters keep their own event rows, whose actions are their statuses.
OTHER_EVENT_ROWS = ("card.events.", "letter.events.")


def _on_case_events(func: ast.expr) -> bool:
    receiver = ast.unparse(func)
    if any(other in receiver for other in OTHER_EVENT_ROWS):
        return False
    return "CaseEvent" in receiver or ".events." in receiver


def _keyword_codes(
    node: ast.Call, names: tuple[str, ...], constants: dict[str, ast.expr]
) -> set[str]:
    found: set[str] = set()
    for keyword in node.keywords:
        if keyword.arg in names:
            found |= _codes(keyword.value, constants)
    return found


def _written_codes(tree: ast.Module) -> set[str]:
    constants = _module_strings(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name, on_events = _name(node.func), _on_case_events(node.func)
        if name in WRITERS or (name == "create" and on_events):
            found |= _keyword_codes(node, ("action",), constants)
        if name in POSITIONAL and len(node.args) > POSITIONAL[name]:
            found |= _codes(node.args[POSITIONAL[name]], constants)
        if name in ("filter", "exclude", "get") and on_events:  # the codes the selectors read
            found |= _keyword_codes(node, ("action", "action__in"), constants)
    return found


def _sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "/locale/" not in str(p))


def test_every_action_code_written_or_read_anywhere_is_a_registered_kind():
    found: set[str] = set()
    for path in _sources():
        found |= _written_codes(ast.parse(path.read_text(), str(path)))
    # The certificate lifecycle picks its code from a table.
    from onewindow.certificates.services import LIFECYCLE

    found |= {code for _status, code in LIFECYCLE.values()}
    assert len(found) > 40  # the collection itself works
    registered = {kind.code for kind in event_kinds()}
    assert sorted(found - registered) == []


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return names


@pytest.mark.parametrize(
    ("app", "above"),
    [
        ("cases", ("review.services", "certificates", "notifications")),
        ("review", ("certificates", "notifications")),
        ("certificates", ("notifications",)),
    ],
)
def test_hand_offs_go_by_subscription_not_by_importing_the_app_above(app, above):
    offending = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "tests" in path.parts:
            continue
        for module in _imports(path):
            if any(module.startswith(f"onewindow.{higher}") for higher in above):
                offending.append(f"{path.relative_to(ROOT)}: {module}")
    assert offending == []
