"""The theme's templates write what plain Jinja writes: values escaped as markupsafe escapes
them, whatever the value (text, Markup, numbers, objects that say how they are written as
HTML), in pages, macros (defined or imported), blocks, filters and call blocks; only faster
(sitegen/site/theme.py)."""

from __future__ import annotations

from pathlib import Path

import jinja2
import markupsafe
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.site.theme import escape_text, template_environment


class _Html:
    def __init__(self, text: str):
        self.text = text

    def __html__(self) -> str:
        return self.text


_VALUES = st.one_of(
    st.text(alphabet=st.sampled_from("<>&'\"ab 文\u3000"), max_size=8),
    st.text(max_size=8),
    st.builds(markupsafe.Markup, st.text(alphabet="<>&ab", max_size=6)),
    st.builds(_Html, st.text(alphabet="<>&ab", max_size=6)),
    st.integers(),
    st.none(),
)


@given(_VALUES)
def test_a_value_is_written_as_markupsafe_escapes_it(value):
    assert escape_text(value) == str(markupsafe.escape(value))


_MACROS = '{% macro shout(text) %}<em>{{ text }}</em>{% endmacro %}'
_TEMPLATE = """\
{% from "macros.html" import shout %}
{% macro item(label, value) %}<li title="{{ label }}">{{ value }}</li>{% endmacro %}
{% macro wrap(label) %}<div title="{{ label }}">{{ caller() }}</div>{% endmacro %}
{% set held %}<b>{{ a }}</b>{% endset %}
<p>{{ a }} {{ b }} {{ a ~ b }} {{ held }} {{ a|upper }} {{ a|safe }}</p>
{{ item(a, b) }} {{ shout(a) }}
{% filter upper %}{{ b }}{% endfilter %}
{% call wrap(b) %}{{ a }}{% endcall %}
{% for v in values %}<i>{{ v }}</i>{% endfor %}
{% autoescape false %}{{ a }}{% endautoescape %}
"""


@settings(max_examples=150, deadline=None)
@given(_VALUES, _VALUES, st.lists(_VALUES, max_size=3))
def test_a_template_writes_what_plain_jinja_writes(tmp_path_factory, a, b, values):
    theme = tmp_path_factory.mktemp("theme")
    (theme / "templates").mkdir()
    (theme / "templates" / "page.html").write_text(_TEMPLATE, encoding="utf-8")
    (theme / "templates" / "macros.html").write_text(_MACROS, encoding="utf-8")
    ours = template_environment(theme, str(theme))
    plain = jinja2.Environment(loader=jinja2.FileSystemLoader(theme / "templates"), autoescape=True,
                               undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                               trim_blocks=True, lstrip_blocks=True)
    context = {"a": a, "b": b, "values": values}
    assert ours.get_template("page.html").render(context) == plain.get_template("page.html").render(context)


def test_the_default_theme_escapes_what_a_notice_says():
    environment = template_environment(Path(__file__).parents[1] / "themes" / "default")
    text = environment.from_string("<h1>{{ title }}</h1>").render(title='<script>"x" & \'y\'</script>')
    assert text == "<h1>&lt;script&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/script&gt;</h1>"
