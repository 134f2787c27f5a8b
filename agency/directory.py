"""Client names for the apps below `clients` (the archive) that keep a plain client id:
the clients app registers its lookups when it is ready, so a lower app shows a client's
name without importing the clients app (the layering runs one way)."""

from collections.abc import Callable, Iterable

NamesLookup = Callable[[Iterable[int]], dict[int, str]]
ChoicesLookup = Callable[[], list[tuple[int, str]]]

_names: NamesLookup | None = None
_choices: ChoicesLookup | None = None


def register(*, names: NamesLookup, choices: ChoicesLookup) -> None:
    global _names, _choices
    _names, _choices = names, choices


def client_names(ids: Iterable[int | None]) -> dict[int, str]:
    """{client id: name} for the given ids, in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted or _names is None:
        return {}
    return _names(wanted)


def client_choices() -> list[tuple[int, str]]:
    """Every client as (id, name), by name, for a filter."""
    return _choices() if _choices is not None else []
