"""Every page of the staff UI and the portal, walked in zh-Hans and in English (issue 16).

The pages come from the URL map (tests/ui/walk.py: every staff and portal route with a
case in the isolation matrix's registry that some role may read); each is fetched as a
user who may see it, with the isolation matrix's data set (tests/security/world.py), in
both languages (the language cookie the site's switch sets). A page must answer 200 and,
when it is HTML, its title and headings, main navigation, form labels, buttons, options,
placeholders and table headers must be in the page's language (tests/ui/text.py says
how they are judged).

Then more rows are added for the same client (persons, orders, a bigger order, bills,
inquiries, complaints, cases, messages, papers, notifications, clients, archive items)
and every page is fetched again: its query count must not grow (`test_queries_do_not_
grow_with_rows`). The pages are fetched once each per state in module fixtures; the
tests judge what they got."""

import copy
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client as PageClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.security.matrix import build_path
from tests.security.registry import REGISTRY
from tests.security.test_isolation_matrix import _values
from tests.security.world import World
from tests.ui import walk
from tests.ui.rows import MORE, MoreRows
from tests.ui.text import Data, untranslated, visible_strings

pytestmark = pytest.mark.django_db  # the test database is made for tests that ask for it

LANGS = ("zh-hans", "en")
PAGES = walk.pages()
DATA_APPS = {"agency", "archive", "policies", "clients", "enrollment", "billing", "compliance"}


@dataclass
class Fetched:
    path: str
    role: str | None
    status: int
    content_type: str
    html: str
    queries: int
    error: str = ""
    sql: tuple[str, ...] = ()


def _path(name: str, world: World, extra: dict[str, Any], user: Any,
          override: dict[str, Any]) -> str | None:
    route = PAGES[name]
    case = REGISTRY.get(name)
    values: dict[str, str] = {}
    if case is not None:
        got = _values(case, world, "mine", user)
        if got is None:
            return None
        values = got
        for arg, kind in case.kinds().items():
            if kind in override:
                values[arg] = str(override[kind].pk)
    for arg, kind in walk.WALK_KINDS.get(name, {}).items():
        obj = override.get(kind, extra.get(kind))
        if obj is None:
            return None
        values[arg] = str(obj.pk)
    path = build_path(route, values)
    query = walk.WALK_QUERY.get(name)
    if query:
        path += "?" + query.format(month=timezone.localdate().strftime("%Y-%m"))
    return path


def _fetch(page: PageClient, path: str, lang: str) -> tuple[Any, list[str]]:
    cookies = copy.copy(page.cookies)
    page.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    cache.clear()  # throttles and cached figures: each page starts afresh
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            response = page.get(path)
            if response.streaming:
                response.getvalue()  # a file's answer is read inside the count
        transaction.set_rollback(True)
    page.cookies = cookies
    translation.activate(settings.LANGUAGE_CODE)
    counted = [q for q in queries.captured_queries
               if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT",
                                           "ROLLBACK TO SAVEPOINT"))]
    return response, [q["sql"] for q in counted]


def _fetch_all(world: World, callers: dict[str, Any], extra: dict[str, Any],
               langs: tuple[str, ...], override: dict[str, Any]) -> dict[tuple[str, str], Fetched]:
    out = {}
    anonymous = PageClient()
    for name in PAGES:
        role = walk.role_for(name)
        page, _, user = callers[role] if role is not None else (anonymous, {}, None)
        path = _path(name, world, extra, user, override)
        for lang in langs:
            if path is not None and "999999" in path:
                out[name, lang] = Fetched(path, role, 0, "", "", 0, (
                    "an argument names an object the matrix does not make: see "
                    "test_every_page_is_walked"))
                continue
            if path is None:
                error = "; ".join(f"{k}={v}" for k, v in {**world.mine.objects, **extra}.items()
                                  if k.endswith(":error"))
                out[name, lang] = Fetched("", role, 0, "", "", 0,
                                          f"an object of its arguments was not made: {error}")
                continue
            response, sql = _fetch(page, path, lang)
            kind = response.get("Content-Type", "")
            html = response.content.decode() if "text/html" in kind and not response.streaming \
                else ""
            out[name, lang] = Fetched(path, role, response.status_code, kind, html, len(sql),
                                      sql=tuple(sql))
    return out


@pytest.fixture(scope="module")
def extra(world, django_db_blocker) -> dict[str, Any]:
    with django_db_blocker.unblock():
        return walk.extras(world)


@pytest.fixture(scope="module")
def first(world, callers, extra, django_db_blocker) -> dict[tuple[str, str], Fetched]:
    """Every page in both languages, with the data set as made."""
    with django_db_blocker.unblock():
        return _fetch_all(world, callers, extra, LANGS, {})


@pytest.fixture(scope="module")
def data(world, first, django_db_blocker) -> Data:
    """Every value stored in the database (outside choices): what a page may show as it is."""
    from django.apps import apps
    from django.db import models

    values: list[str] = []
    with django_db_blocker.unblock():
        for model in apps.get_models():
            if model._meta.app_label not in DATA_APPS:
                continue  # permissions, sessions, content types: not what a page shows
            fields = [f.attname for f in model._meta.concrete_fields
                      if isinstance(f, models.CharField | models.TextField) and not f.choices]
            if fields:
                for row in model._default_manager.values_list(*fields):
                    values.extend(v for v in row if isinstance(v, str) and v)
    return Data(values)


@pytest.fixture(scope="module")
def second(world, callers, extra, first, data, django_db_blocker) -> dict[tuple[str, str], Fetched]:
    """Every page again (in zh-Hans) after `_more_rows`."""
    with django_db_blocker.unblock():
        made = MoreRows(world).make()
        failed = {k: v for k, v in made.items() if k.endswith(":error")}
        assert failed == {}, f"the added rows could not be made: {failed}"
        override = {k: v for k, v in made.items() if v is not None and hasattr(v, "pk")}
        return _fetch_all(world, callers, extra, ("zh-hans",), override)


# --- the tests ---------------------------------------------------------------------------

def test_every_page_is_walked():
    assert walk.problems() == []


def test_the_walks_own_objects_are_made(extra):
    assert {k: v for k, v in extra.items() if k.endswith(":error")} == {}


def test_the_judge_flags_english_on_a_chinese_page_and_chinese_on_an_english_one():
    html = ("<title>账单 · Bills</title><nav><a>Dashboard</a><a>API</a></nav>"
            "<label>Client:</label><th>城市</th><button>增员 (Add)</button>"
            "<option>Add (增员)</option><th>上海启明</th><input type=submit value='Save'>")
    data = Data(["上海启明"])
    strings = visible_strings(html)
    assert untranslated(strings, "zh-hans", data) == [
        "nav a: 'Dashboard'", "label: 'Client:'", "option: 'Add (增员)'",
        "input[submit]: 'Save'"]
    assert untranslated(strings, "en", data) == [
        "title: '账单 · Bills'", "th: '城市'", "button: '增员 (Add)'"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_renders_in_its_language(name, lang, first, data):
    got = first[name, lang]
    assert got.error == ""
    assert got.status == 200, f"GET {got.path} as {got.role} in {lang}: {got.status}"
    if not got.html:
        return
    strings = visible_strings(got.html)
    assert untranslated(strings, lang, data) == [], f"GET {got.path} as {got.role} in {lang}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_queries_do_not_grow_with_rows(name, first, second):
    before, after = first[name, "zh-hans"], second[name, "zh-hans"]
    assert after.status == 200, f"GET {after.path} as {after.role}: {after.status} {after.error}"
    assert after.queries <= before.queries, (
        f"GET {before.path} -> {after.path} as {after.role}: {before.queries} queries with "
        f"the data set as made, {after.queries} with {MORE} more rows of each kind; the "
        f"queries of the second not in the first: {_new_queries(before.sql, after.sql)}")


def _new_queries(before: tuple[str, ...], after: tuple[str, ...]) -> list[str]:
    def shape(sql: str) -> str:
        return re.sub(r"\b\d+\b", "N", sql)

    seen = [shape(q) for q in before]
    out = []
    for query in after:
        if shape(query) in seen:
            seen.remove(shape(query))
        else:
            out.append(query[:300])
    return out
