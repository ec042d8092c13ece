"""The fast front-matter reader agrees with YAML wherever it answers at all."""

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.content import _Dumper, _Loader, split_front_matter
from sitegen.front_matter import read_front_matter

RESOLVERS = _Loader.yaml_implicit_resolvers
ROOT = Path(__file__).resolve().parent.parent


def as_yaml(meta: dict) -> str:
    # The importer's own settings (sitegen.content.notice_text).
    return yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=10_000)


def test_every_bundled_notice_is_read_without_yaml_and_as_yaml_reads_it():
    for path in sorted((ROOT / "content").rglob("*.md")):
        meta_text = split_front_matter(path.read_text(encoding="utf-8"), path)[0]
        assert read_front_matter(meta_text, RESOLVERS) == yaml.load(meta_text, Loader=_Loader), path


def test_values_yaml_reads_as_numbers_booleans_or_null_are_left_to_yaml():
    for text in ("id: 12345\n", "title: yes\n", "title: ~\n", "title: null\n", "date: 1.5\n",
                 "title:\n", "attachments:\n", "true: x\n", "title: 0x1F\n", "title: =\n"):
        assert read_front_matter(text, RESOLVERS) is None, text


def test_shapes_other_than_the_importers_are_left_to_yaml():
    for text in ("title: a\n  continued\n", "# comment\ntitle: a\n", "title: a # note\n",
                 "title: 'open\n", 'title: "quoted"\n', "title: a\ntitle: b\n", "title:  two spaces\n",
                 "attachments:\n  url: x\n", "attachments:\n- url: a\n  url: b\n", "- a\n",
                 "title: [a, b]\n", "title: a\u2028b\n", "title: a\rb\n", "title: {a: b}\n"):
        assert read_front_matter(text, RESOLVERS) is None, repr(text)


def test_the_importers_shape_is_read():
    text = ("title: 关于印发《办法》的通知\nid: abc123\nwritten: 2020-03-24\ntitle_note: 'it''s: fine'\n"
            "attachments:\n- title: 附件1.doc\n  url: https://x/y?a=1&b=2\n- title: 附件2\n  url: https://x/z\n")
    assert read_front_matter(text, RESOLVERS) == yaml.load(text, Loader=_Loader)
    assert read_front_matter(text, RESOLVERS)["attachments"][1] == {"title": "附件2", "url": "https://x/z"}


_PIECES = st.sampled_from([
    "a", "文字", "《办法》", "〔2020〕", "1", "2020-01-01", "0", "-", "- ", ":", ": ", "#", " #", "'", '"',
    " ", "\t", "yes", "No", "null", "~", "true", "1.5", "0x10", "=", "<<", "[", "]", "{", "}", "&", "*",
    "!", "|", ">", "%", "@", "`", "?", ",", "\\", "\u3000", "\u2028", "\x85", "\ufeff", "\x07", "https://x/y",
])
_TEXT = st.lists(_PIECES, min_size=1, max_size=6).map("".join)
_RECORD = st.fixed_dictionaries({"title": _TEXT, "url": _TEXT})


@settings(max_examples=1500, deadline=None)
@given(st.fixed_dictionaries({"title": _TEXT, "id": _TEXT},
                             optional={"file_number": _TEXT, "date": _TEXT, "issuer": _TEXT,
                                       "attachments": st.lists(_RECORD, min_size=1, max_size=3)}))
def test_whatever_the_importer_writes_reads_back_as_yaml_reads_it(meta):
    text = as_yaml(meta)
    fast = read_front_matter(text, RESOLVERS)
    if fast is not None:
        assert fast == yaml.load(text, Loader=_Loader)
