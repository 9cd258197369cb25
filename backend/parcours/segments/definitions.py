"""What a segment's members are, independent of storage: dependencies between segments, the
order to evaluate them in, and one contact's memberships. Pure: values in, values out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import msgspec

from parcours.rules.language import Checked


class Definition(msgspec.Struct, frozen=True):
    id: int
    kind: str
    rule: Checked | None
    include: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()

    @property
    def needs(self) -> set[int]:
        """The segments this one's membership is computed from."""
        return set(self.include) | set(self.exclude) | (self.rule.segment_ids if self.rule else set())


def find_cycle(needs: Mapping[int, Iterable[int]]) -> list[int] | None:
    """A list of segment ids that depend on each other in a loop (first == last), or None."""
    state: dict[int, int] = {}  # 1: being visited, 2: done
    path: list[int] = []

    def visit(node: int) -> list[int] | None:
        state[node] = 1
        path.append(node)
        for nxt in needs.get(node, ()):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if state.get(nxt) is None and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in list(needs):
        if state.get(start) is None and (found := visit(start)):
            return found
    return None


def evaluation_order(definitions: Iterable[Definition]) -> list[Definition]:
    """Dynamic segments, each after the segments it depends on (definitions have no cycle)."""
    by_id = {d.id: d for d in definitions}
    order: list[Definition] = []
    seen: set[int] = set()

    def place(definition: Definition) -> None:
        seen.add(definition.id)
        for needed in sorted(definition.needs):
            if needed in by_id and needed not in seen:
                place(by_id[needed])
        if definition.kind == "dynamic":
            order.append(definition)

    for definition in sorted(by_id.values(), key=lambda d: d.id):
        if definition.id not in seen:
            place(definition)
    return order


def dependents(definitions: Iterable[Definition], changed: int) -> list[int]:
    """Every dynamic segment whose members may change when `changed`'s do, in evaluation order."""
    ordered = evaluation_order(definitions)
    affected = {changed}
    out = []
    for definition in ordered:
        if definition.needs & affected:
            affected.add(definition.id)
            out.append(definition.id)
    return out


def is_member(definition: Definition, matches: Callable[[Checked], bool], members: set[int]) -> bool:
    """(rule, or member of an included segment) and not member of an excluded one; with neither a
    rule nor includes, everyone (but the excluded)."""
    if any(e in members for e in definition.exclude):
        return False
    if definition.rule is None and not definition.include:
        return True
    return any(i in members for i in definition.include) or (definition.rule is not None and matches(definition.rule))


def memberships(
    ordered: Iterable[Definition], current: set[int], matches: Callable[[Checked, set[int]], bool]
) -> set[int]:
    """One contact's segments after evaluating every dynamic segment in order; static ones stay."""
    members = set(current)
    for definition in ordered:
        if is_member(definition, lambda rule: matches(rule, members), members):
            members.add(definition.id)
        else:
            members.discard(definition.id)
    return members
