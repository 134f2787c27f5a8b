"""Imports point one way (docs/conventions.md):

    compliance → billing → enrollment → clients → policies → archive → agency

Each app may import the apps to its right, never one to its left. Inside enrollment the
rooms point one way too: bureau, proofs (and cases) → orders → persons; the app's shared
modules (models) import no room. Every module of every app is imported (so none is
broken or unreachable) and its imports, at the top or inside a function, are checked."""

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("compliance", "billing", "enrollment", "clients", "policies", "archive", "agency")
ROOMS = ("cases", "bureau", "proofs", "orders", "persons")
# rooms to the left of another may import it; rooms side by side may not import each other
ROOM_RANK = {"cases": 2, "bureau": 2, "proofs": 2, "orders": 1, "persons": 0}
# enrollment modules that know every room (like the root URLconf knows every app): the
# URLs, the demo data, the back-office, the app config and the management commands
ENROLLMENT_ASSEMBLERS = ("enrollment.urls", "enrollment.demo", "enrollment.admin",
                         "enrollment.apps", "enrollment.management")


def _modules() -> list[tuple[str, Path]]:
    out = []
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out.append((".".join(parts), path))
    return out


def _imports(path: Path) -> set[str]:
    """Every module an `import` or `from ... import` names, anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "enrollment" and parts[1] in ROOMS else None


def test_every_module_imports():
    for name, _path in _modules():
        importlib.import_module(name)


def test_no_app_imports_one_to_its_left():
    wrong = []
    for name, path in _modules():
        rank = LAYERS.index(name.split(".")[0])
        for imported in _imports(path):
            top = imported.split(".")[0]
            if top in LAYERS and LAYERS.index(top) < rank:
                wrong.append(f"{name} imports {imported}")

    assert wrong == []


def test_enrollment_rooms_point_one_way_and_its_shared_modules_import_no_room():
    wrong = []
    for name, path in _modules():
        if not name.startswith("enrollment") or name.startswith(ENROLLMENT_ASSEMBLERS):
            continue
        room = _room(name)
        for imported in _imports(path):
            other = _room(imported)
            if other is None or other == room:
                continue
            if room is None or ROOM_RANK[other] >= ROOM_RANK[room]:
                wrong.append(f"{name} imports {imported}")

    assert sorted(set(wrong)) == []


def test_the_layering_rule_is_checked_on_real_imports():
    # given the modules as they are: the check sees the imports it is about
    by_name = dict(_modules())

    assert "clients.models" in _imports(by_name["enrollment.orders.services"])
    assert "enrollment" not in {i.split(".")[0] for i in _imports(by_name["clients.services"])}
    assert {i.split(".")[0] for i in _imports(by_name["policies.services"])} <= {
        "policies", "agency", "django", "calendar", "datetime", "collections", "dataclasses",
        "decimal", "typing",
    }


def test_no_app_reaches_the_tables_of_an_app_to_its_left_through_orm_strings():
    """A lookup such as `Count("enrollments__person")` in clients would read enrollment's
    table without an import; the app that owns the table answers through a selector (or,
    for a lower app, a port such as `clients.headcount`)."""
    from django.apps import apps

    wrong = []
    for model in apps.get_models():
        app = model._meta.app_label
        if app not in LAYERS:
            continue
        # reverse accessors on this model that lead to a model of an app to its left
        accessors = {
            rel.get_accessor_name() or rel.name
            for rel in model._meta.related_objects
            if rel.related_model._meta.app_label in LAYERS
            and LAYERS.index(rel.related_model._meta.app_label) < LAYERS.index(app)
        }
        for name, path in _modules():
            if name.split(".")[0] != app:
                continue
            source = path.read_text(encoding="utf-8")
            wrong += [f"{name}: {accessor}" for accessor in sorted(accessors)
                      if f'"{accessor}__' in source or f'"{accessor}"' in source
                      or f".{accessor}." in source]

    assert sorted(set(wrong)) == []
