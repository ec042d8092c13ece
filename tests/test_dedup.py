"""Duplicates: the same notice published twice becomes one group, found without comparing every
pair of notices that share a title."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys

import pytest

from sitegen import dedup
from sitegen.dedup import (
    PAIRWISE_UP_TO,
    KeysOnce,
    dedup_keys,
    duplicate_groups,
    near_identical,
    near_identical_pairs,
)
from sitegen.notice import Notice

from .samples import REPO

CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你"


def _all_pairs_groups(notices: list[Notice]) -> list[list[str]]:
    parent = {n.id: n.id for n in notices}

    def root(key):
        while parent[key] != key:
            key = parent[key]
        return key

    for a, b in itertools.combinations(notices, 2):
        if near_identical(a, b) and root(a.id) != root(b.id):
            ra, rb = root(a.id), root(b.id)
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for notice in notices:
        groups.setdefault(root(notice.id), []).append(notice.id)
    return sorted(sorted(group) for group in groups.values())


@pytest.mark.parametrize("size", [2, 12, PAIRWISE_UP_TO + 1, 40])
def test_groups_are_those_of_comparing_every_pair(size):
    """Few texts of a title are compared pair by pair, many by prefix filtering: both find
    every near-identical pair."""
    generator = random.Random(17 + size)
    for _ in range(40 if size < 30 else 10):
        base = "".join(generator.choices(CHARS[:6], k=60))
        notices = [
            Notice(id=f"n{i}", title="关于印发的通知",
                   body=base[: generator.randint(40, 60)] + "".join(generator.choices(CHARS[:6], k=generator.randint(0, 8))))
            for i in range(size)
        ]
        found = sorted(sorted(n.id for n in group) for group in duplicate_groups(notices))
        assert found == _all_pairs_groups(notices)


def test_hundreds_of_notices_with_one_title_are_grouped_in_linear_time():
    # In a child process killed after the bound: comparing every pair takes many minutes.
    script = (
        "import random\n"
        "from sitegen.dedup import duplicate_groups\n"
        "from sitegen.notice import Notice\n"
        "generator = random.Random(1)\n"
        f"chars = {CHARS!r}\n"
        "notices = [Notice(id=f'n{i:04}', title='关于印发的通知', body=''.join(generator.choices(chars, k=1000)))"
        " for i in range(400)]\n"
        "notices += [Notice(id=f'd{i}', title='关于印发的通知', body=notices[i].body + '（转载）') for i in range(5)]\n"
        "groups = [sorted(n.id for n in g) for g in duplicate_groups(notices) if len(g) > 1]\n"
        "assert sorted(groups) == sorted([f'd{i}', f'n{i:04}'] for i in range(5)), groups\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=150, cwd=REPO)


def _runs_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the 4-character runs, as strings (the definition)."""
    first, second = ({t[i : i + 4] for i in range(max(1, len(t) - 3))} for t in (a, b))
    return len(first & second) / len(first | second)


def test_near_identical_is_the_jaccard_similarity_of_4_character_runs_in_any_plane():
    # Runs are kept as numbers where every character is in the basic plane, as strings where one
    # is not (𠀀, 😀: two UTF-16 units): a text mixing both is measured as its runs say.
    rng = random.Random(18)
    alphabet = CHARS[:12] + "ab1" + "\U00020000\U0002a6a5\U0001f600"
    for _ in range(300):
        a = "".join(rng.choice(alphabet) for _ in range(rng.choice([2, 3, 4, 5, 40, 200])))
        b = list(a)
        for _ in range(rng.choice([0, 1, 2, 5, 30])):
            if b:
                b[rng.randrange(len(b))] = rng.choice(alphabet)
        b = "".join(b)
        expected = _runs_similarity(a, b) >= 0.9
        assert near_identical(Notice(id="a", title="t", body=a), Notice(id="b", title="t", body=b)) is expected


def test_the_pairs_of_a_few_same_titled_texts_are_those_of_the_definition():
    # A few texts of one title are compared pair by pair on arrays of their runs (numbers made at
    # C speed), or as sets where a run stays a string: both give the pairs the definition gives,
    # markup aside, from text or UTF-8.
    rng = random.Random(2)
    for _ in range(150):
        plane = rng.choice([CHARS[:10] + "ab1", CHARS[:6] + "\U00020000"])
        base = "".join(rng.choice(plane) for _ in range(rng.choice([3, 6, 60, 300])))
        texts = []
        for index in range(rng.choice([2, 3, 5, PAIRWISE_UP_TO])):
            text = list(base)
            for _ in range(rng.choice([0, 1, 3, 20])):
                text[rng.randrange(len(text))] = rng.choice(plane)
            body = "**" + "".join(text) + "**"
            texts.append((f"n{index}", body.encode() if index % 2 else body))
        plain = {key: (body.decode() if isinstance(body, bytes) else body).strip("*") for key, body in texts}
        expected = [(a, b) for a, b in itertools.combinations(sorted(plain), 2)
                    if _runs_similarity(plain[a], plain[b]) >= 0.9]
        assert near_identical_pairs(texts) == expected


def test_keys_once_answers_as_dedup_keys_working_each_file_number_and_title_out_once(monkeypatch):
    notices = [Notice(id=f"n{i}", title=f"关于 事项{i % 2}的通知", file_number=f"工信部规〔2021〕{i % 2 + 1}号",
                      body="正文") for i in range(6)]
    notices.append(Notice(id="x", title="关于事项0的通知", file_number="", body="正文"))
    expected = [dedup_keys(notice) for notice in notices]
    worked_out: list[str] = []
    original = dedup.dedup_keys

    def counted(notice):
        worked_out.append(notice.id)
        return original(notice)

    monkeypatch.setattr(dedup, "dedup_keys", counted)
    keys_of = KeysOnce()
    assert [keys_of(notice) for notice in notices * 3] == expected * 3
    assert worked_out == ["n0", "n1", "x"]  # n2 has n0's file number and title, and so on
    assert duplicate_groups(notices, keys_of=keys_of) == duplicate_groups(notices)
