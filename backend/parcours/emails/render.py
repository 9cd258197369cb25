"""Turning a design into messages: MJML to HTML (once, when saved), then personalization for
each contact in a sandboxed Jinja environment (for every message). Pure: text in, text out."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import mjml
import msgspec
from jinja2 import ChainableUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

# The MJML elements a design may use (anything else is reported, not silently dropped).
MJML_TAGS = {
    "mjml",
    "mj-head",
    "mj-body",
    "mj-attributes",
    "mj-all",
    "mj-class",
    "mj-breakpoint",
    "mj-font",
    "mj-html-attributes",
    "mj-html-attribute",
    "mj-selector",
    "mj-preview",
    "mj-style",
    "mj-title",
    "mj-accordion",
    "mj-accordion-element",
    "mj-accordion-title",
    "mj-accordion-text",
    "mj-button",
    "mj-carousel",
    "mj-carousel-image",
    "mj-column",
    "mj-divider",
    "mj-group",
    "mj-hero",
    "mj-image",
    "mj-navbar",
    "mj-navbar-link",
    "mj-raw",
    "mj-section",
    "mj-social",
    "mj-social-element",
    "mj-spacer",
    "mj-table",
    "mj-text",
    "mj-wrapper",
    "mj-include",
}


class Compiled(msgspec.Struct):
    html: str
    text: str
    warnings: list[str]


class DesignError(ValueError):
    pass


def compile_mjml(source: str) -> Compiled:
    """MJML to HTML and plain text. Raises DesignError with a sentence when it cannot compile."""
    if "<mjml" not in source:
        raise DesignError("The design is not MJML: it must start with <mjml>.")
    warnings = [
        f"<{tag}> is not an MJML element: it is left out of the email."
        for tag in sorted(set(re.findall(r"<(mj-[a-z-]+)", source)) - MJML_TAGS)
    ]
    try:
        compiled = mjml.mjml2html(source)
    except ValueError as exc:
        raise DesignError(f"The MJML does not compile: {exc}.") from None
    check_template(compiled)
    return Compiled(html=compiled, text=html_to_text(compiled), warnings=warnings)


_BLOCKS = re.compile(r"<(br|/p|/div|/h[1-6]|/li|/tr|/table)[^>]*>", re.IGNORECASE)
_LINK = re.compile(r'<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)


def html_to_text(html: str) -> str:
    """A readable plain-text part: paragraphs kept, links as 'text (url)', markup gone."""
    body = re.sub(r"(?is)<(head|style|script|title)[^>]*>.*?</\1>", "", html)
    body = re.sub(r"(?is)<!--.*?-->", "", body)
    body = _LINK.sub(lambda m: f"{re.sub('<[^>]+>', '', m.group(2)).strip()} ({m.group(1)})", body)
    body = _BLOCKS.sub("\n", body)
    body = re.sub(r"<[^>]+>", "", body)
    lines = [re.sub(r"[ \t\u00a0]+", " ", htmllib.unescape(line)).strip() for line in body.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# ---- personalization --------------------------------------------------------------------------


# Jinja without access to Python internals; a missing value renders as nothing. The HTML
# environment escapes what contacts typed (a name like "<b>" stays text); the design is trusted.
_environment = ImmutableSandboxedEnvironment(undefined=ChainableUndefined, autoescape=False)
_html_environment = ImmutableSandboxedEnvironment(undefined=ChainableUndefined, autoescape=True)


def check_template(source: str) -> None:
    try:
        _environment.parse(source)
    except TemplateSyntaxError as exc:
        raise DesignError(
            f"A personalization token is not written correctly (line {exc.lineno}): {exc.message}."
        ) from None


def referenced_fields(source: str) -> set[str]:
    """The `contact.<field>` and `account.<field>` names a template uses (warned when unknown)."""
    found: set[str] = set()
    for node in _environment.parse(source).find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in ("contact", "account"):
            found.add(f"{node.node.name}.{node.attr}")
    return found


def referenced_rules(source: str) -> list[str]:
    """The rule texts of `{% if rule("...") %}` blocks, to check them when the email is saved."""
    rules = []
    for call in _environment.parse(source).find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "rule" and call.args:
            argument = call.args[0]
            if isinstance(argument, nodes.Const) and isinstance(argument.value, str):
                rules.append(argument.value)
    return rules


@lru_cache(maxsize=256)
def uses_rules(source: str) -> bool:
    """Whether a template has conditional blocks (checked for every batch sent: parsed once)."""
    return bool(referenced_rules(source))


@lru_cache(maxsize=256)
def _template(source: str, html: bool) -> Any:
    template = (_html_environment if html else _environment).from_string(source)
    # A plain dict rather than a ChainMap over the environment's globals (which never change
    # here): every render copies them into its context, several times per message sent.
    template.globals = dict(template.globals)
    return template


def personalize(
    source: str, context: Mapping[str, Any], *, html: bool = False, rule: Callable[[str], bool] | None = None
) -> str:
    """Render one message part for one contact; `rule("...")` decides conditional blocks."""
    return str(_template(source, html).render({**context, "rule": rule or (lambda _text: False)}))


# ---- links -------------------------------------------------------------------------------------

_HREF = re.compile(r'(<a\s[^>]*?href=")([^"]+)(")', re.IGNORECASE)
_UNTRACKED = ("mailto:", "tel:", "#", "{{")


def rewrite_links(html: str, tracked: Callable[[int, str], str], keep: frozenset[str] = frozenset()) -> str:
    """Every web link of a rendered message goes through `tracked(index, url)`, except `keep`."""
    counter = iter(range(10_000))

    def replace(match: re.Match[str]) -> str:
        url = htmllib.unescape(match.group(2))
        if url.startswith(_UNTRACKED) or not url.startswith(("http://", "https://")) or url in keep:
            return match.group(0)
        return match.group(1) + htmllib.escape(tracked(next(counter), url)) + match.group(3)

    return _HREF.sub(replace, html)
