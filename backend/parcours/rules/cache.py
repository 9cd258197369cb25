"""The one cache of checked rules and of what is built from them (a scoring model, the ordered
segments), per process. A parse depends on the rule text and the schema only, so entries are keyed
by (what, schema.key): a new Schema built per request with the same fields finds them again."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from parcours.rules.language import Checked, Schema, evaluate, parse

T = TypeVar("T")
# Rules and models change rarely; past this many entries (a schema change leaves old ones behind)
# the cache starts again rather than grow.
LIMIT = 5_000


class RuleCache:
    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._entries: dict[tuple[Hashable, int], Any] = {}

    def check(self, text: str, schema: Schema) -> Checked:
        """The rule parsed and type-checked against the schema (RuleError when it does not fit)."""
        return self.built(("rule", text), schema, lambda: parse(text, schema))

    def built(self, key: Hashable, schema: Schema, build: Callable[[], T]) -> T:
        """What `build` makes from rules checked with this schema, made once per (key, schema)."""
        found: T | None = self.find(key, schema)
        if found is None:
            found = build()  # before storing: a build that raises leaves nothing behind
            self.keep(key, schema, found)
        return found

    def find(self, key: Hashable, schema: Schema) -> Any:
        """What was kept under (key, schema), or None (for what takes a query to build)."""
        return self._entries.get((key, schema.key))

    def keep(self, key: Hashable, schema: Schema, value: object) -> None:
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[(key, schema.key)] = value

    def matcher(self, schema: Schema, values: dict[str, Any]) -> Callable[[str], bool]:
        """Whether a contact (its context values) matches a rule given as text."""
        return lambda text: evaluate(self.check(text, schema), values)


# The process's cache: handed to every consumer of the interaction stream with its batch, and
# used by the API paths that evaluate stored rules.
rules = RuleCache()
