"""Which persons each client may see, kept by the database itself.

A client (its portal users and API keys) sees a person it enrolled or named in one of its
roster orders. Worked out on each request, that is a semi-join over every enrolment and
roster line of the client, sorted by name: with 100,000 persons, a second a page. This
table holds the answer, one row per (client, person) with the person's name, so a page of
the client's list is a walk along one index, (client, name, person), however deep the page.

Database triggers keep it (migration 0016), not Python: every way a row is written counts
(the services, the bulk COPY of a large import, a factory in a test, the admin), and a
missed path would hide a person from the client's list, or show one no longer related.
- an enrolment or roster line inserted: its (client, person) row is added;
- one deleted, or its person or client changed: the old pair's row goes when nothing else
  relates them, and the new pair's row is added;
- a person renamed: its rows take the new name.
Nothing in the code writes it; `enrollment.persons.selectors` reads it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models.core import InsuredPerson


class ClientPerson(models.Model):
    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(InsuredPerson, verbose_name=_("person"),
                               on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("person of a client")
        verbose_name_plural = _("persons of clients")
        constraints = [models.UniqueConstraint(fields=["client", "person"],
                                               name="client_person_unique")]
        indexes = [models.Index(fields=["client", "name", "person"],
                                name="client_person_by_name")]

    def __str__(self) -> str:
        return f"{self.client_id} · {self.name}"
