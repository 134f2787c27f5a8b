"""What the watch finds (STD-5.2, 5.3, 6.2, 6.3, 3.5, 7.4 and the other apps' deadlines):
each rule is a function `(now) -> Iterable[Finding]`, pure reads; `compliance.watch` turns
findings into reminders, once per finding, stage and recipient."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One thing someone must act on.

    `rule` names the rule ("inquiry_response"), `subject_key` the thing ("inquiry:12"),
    `stage` how far it is ("due_soon", "breached", "60d"): a reminder is sent once per
    (rule, subject_key, stage, recipient). `owner_id` is the user who must act (None: the
    managers); `escalate` also reminds the managers (an overdue finding). `due_at` orders
    the dashboard; `client_id` scopes it to a representative's clients."""

    rule: str
    subject_key: str
    stage: str
    owner_id: int | None
    message: str
    link: str
    due_at: datetime.datetime
    escalate: bool = False
    client_id: int | None = None

    @property
    def breached(self) -> bool:
        return self.escalate


Rule = Callable[[datetime.datetime], Iterable[Finding]]
