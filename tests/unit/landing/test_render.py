"""The pure parts of a landing page: what the sanitiser keeps, where forms go, who sees which variant."""

from collections import Counter

from parcours.landing.render import Shown, arm, document, form_ids, place_forms, with_visitor
from parcours.landing.sanitize import clean_css, clean_html, safe_url


def test_the_sanitiser_keeps_the_design_and_drops_anything_that_runs() -> None:
    dirty = (
        '<section id="hero" class="lp" onclick="x()"><h1 style="color:red">Hi &amp; welcome</h1>'
        '<script>alert(1)</script><img src="/media/a/b.png" alt="A" onerror="x()">'
        '<a href="java\tscript:alert(1)">bad</a><a href="https://example.org" target="_blank">ok</a>'
        '<iframe src="https://evil.example"></iframe><p style="background:url(javascript:x)">p</p>'
        '<svg onload="x()"><script>alert(2)</script></svg><form action="/steal"><input name="p"></form>'
        '<div data-parcours-form="3" data-other="no">Form</div><b>unclosed'
    )
    clean = clean_html(dirty)
    assert clean == (
        '<section id="hero" class="lp"><h1 style="color:red">Hi &amp; welcome</h1>'
        '<img src="/media/a/b.png" alt="A"><a rel="noopener noreferrer">bad</a>'
        '<a href="https://example.org" target="_blank" rel="noopener noreferrer">ok</a><p>p</p>'
        '<div data-parcours-form="3">Form</div><b>unclosed</b></section>'
    )
    assert (
        clean_css("a{color:red}</style><script>x</script>@import url(x.css);") == "a{color:red}/style>script>x/script>"
    )
    assert [safe_url(u) for u in ("https://a", "/p/x", "#top", "mailto:a@b", " JAVASCRIPT:x", "data:text/html,x")] == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]


def test_form_blocks_are_replaced_by_their_forms_and_name_the_visitor() -> None:
    html = '<h1>Offer</h1><div data-parcours-form="12" class="x">Form: Guide</div><div data-parcours-form="0">?</div>'
    assert form_ids(html) == ["12", "0"]
    markup = '<form action="/f/guide"><input type="hidden" name="anonymous_id" value=""></form>'
    placed = place_forms(html, {12: with_visitor(markup, "abcdef0123456789")}, "<p>gone</p>")
    assert placed == (
        '<h1>Offer</h1><div class="parcours-form-block"><form action="/f/guide">'
        '<input type="hidden" name="anonymous_id" value="abcdef0123456789"></form></div><p>gone</p>'
    )
    assert with_visitor(markup, 'x" onfocus="alert(1)') == markup


def test_a_visitor_keeps_their_variant_and_visitors_are_split_evenly() -> None:
    keys = ["A", "B", "C"]
    assert all(arm(f"visitor-{i}", 7, keys) == arm(f"visitor-{i}", 7, keys) for i in range(50))
    split = Counter(arm(f"visitor-{i}", 7, keys) for i in range(3000))
    assert set(split) == set(keys) and min(split.values()) > 900
    assert arm("anyone", 7, ["A"]) == "A"


def test_the_document_escapes_the_words_around_the_page() -> None:
    shown = Shown(
        language="fr",
        url="https://x.example/p/offre",
        seo_title='<script>"t"</script>',
        seo_description="Une offre & plus",
        social_image="https://x.example/media/a/b.png",
        html="",
        css="h1{color:red}",
    )
    html = document(shown, "<h1>Offre</h1>")
    assert "<title>&lt;script&gt;&#34;t&#34;&lt;/script&gt;</title>" in html
    assert '<meta name="description" content="Une offre &amp; plus">' in html
    assert '<meta property="og:image" content="https://x.example/media/a/b.png">' in html
    assert '<html lang="fr">' in html and "<h1>Offre</h1>" in html and 'name="robots"' not in html


def test_page_templates_are_twins_in_english_and_french() -> None:
    from pathlib import Path

    from parcours.landing.templates import list_templates

    root = Path(__file__).resolve().parents[3] / "templates"
    english, french = ({t.key: t for t in list_templates(root, language)} for language in ("en", "fr"))
    assert set(english) == set(french) and len(english) >= 3
    for key, template in english.items():
        twin = french[key]
        assert form_ids(template.html) == form_ids(twin.html) and template.css == twin.css
        assert clean_html(template.html).count("<") == template.html.count("<")  # nothing the sanitiser drops
        assert template.seo_title and twin.seo_title and template.name != twin.name
