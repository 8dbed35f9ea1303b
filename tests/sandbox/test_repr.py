"""fpbox_repr.bounded_repr: the repr of plain data in bounded time and size, never the code of a value's class."""

from __future__ import annotations

import collections
import datetime
import decimal
import fractions
import subprocess
import sys
import time
from pathlib import Path

import pytest

from foulplay.sandbox._inside import fpbox_repr
from foulplay.sandbox._inside.fpbox_repr import bounded_repr

INSIDE = Path(fpbox_repr.__file__).resolve().parent
SANITY_S = 2.0  # a generous bound: these values take microseconds; a naive repr takes minutes or never ends

UTC2 = datetime.timezone(datetime.timedelta(hours=2), "EET")

SAME_AS_REPR = [
    None, True, False, 0, -17, 2**64, 1.5, float("nan"), float("-inf"), 3 - 2j, "", "it's \"quoted\"\n\t",
    "caf\u00e9 \u2028", b"", b"\x00\xffab'", bytearray(b"xy"), [], [1, [2, [3]]], (), (1,), (1, (2,)),
    {}, {"a": [1, 2], 3: (4,)}, {1, 2, 3}, set(), frozenset(), frozenset({1}), range(3), range(1, 10, 2),
    slice(1, None, 2), ..., fractions.Fraction(1, 3), decimal.Decimal("1.10"), decimal.Decimal("-Infinity"),
    datetime.date(2024, 2, 29), datetime.datetime(2024, 2, 29, 23, 59, 1, 5), datetime.time(1, 2, 3),
    datetime.timedelta(days=1, seconds=5), UTC2, datetime.UTC,
    datetime.datetime(2024, 1, 1, tzinfo=UTC2), datetime.time(4, tzinfo=datetime.UTC),
    collections.deque([1, 2]), collections.deque([1], maxlen=3), collections.Counter("aab"),
    collections.defaultdict(list, {"k": [1]}), collections.defaultdict(None), int, str,
]


@pytest.mark.parametrize("value", SAME_AS_REPR, ids=[f"{type(v).__name__}-{i}" for i, v in enumerate(SAME_AS_REPR)])
def test_plain_data_reads_as_its_repr(value):
    assert bounded_repr(value, limit=10_000) == repr(value)


def test_ordered_dicts_and_empty_containers():
    assert bounded_repr(collections.OrderedDict(a=1, b=[2])) == "OrderedDict({'a': 1, 'b': [2]})"
    assert bounded_repr(collections.OrderedDict()) == "OrderedDict()"
    assert bounded_repr(collections.Counter()) == "Counter()"
    assert bounded_repr(collections.deque()) == "deque([])"


def test_cut_text_ends_in_an_ellipsis():
    text = bounded_repr(list(range(1000)))
    assert len(text) == 200 and text.endswith("...") and text.startswith("[0, 1, 2, ")
    assert bounded_repr(list(range(10)), limit=12) == "[0, 1, 2,..."
    assert bounded_repr("abcdef", limit=7) == "'abc..."
    assert bounded_repr("abcdef", limit=8) == repr("abcdef")
    assert bounded_repr([1, 2], limit=6) == "[1, 2]"  # exactly at the limit: not cut
    assert [bounded_repr("abcdef", limit=n) for n in (0, 1, 2, 3)] == ["", ".", "..", "..."]


def test_exponential_shared_references():
    inner: list = []
    for _ in range(60):
        inner = [inner, inner]  # 2**60 leaves when expanded
    start = time.perf_counter()
    text = bounded_repr(inner)
    assert time.perf_counter() - start < SANITY_S
    assert len(text) == 200 and text.startswith("[" * 60) and text.endswith("...")
    big = bounded_repr(inner, limit=100_000)
    assert len(big) == 100_000 and big.endswith("...")


def test_self_reference():
    a: list = [1, 2]
    a.append(a)
    assert bounded_repr(a) == repr(a) == "[1, 2, [...]]"
    d: dict = {"a": 1}
    d["me"] = d
    assert bounded_repr(d) == repr(d) == "{'a': 1, 'me': {...}}"
    b: list = [a, a]  # shared, not recursive: written twice
    assert bounded_repr(b) == repr(b)
    q: collections.deque = collections.deque([1])
    q.append(q)
    assert bounded_repr(q) == "deque([1, [...]])"


def test_deep_nesting_needs_no_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(RecursionError):
        repr(deep)
    assert bounded_repr(deep, limit=500_000) == "[" * 100_001 + "]" * 100_001
    assert bounded_repr(deep) == "[" * 197 + "..."


def test_huge_ints_are_never_converted():
    huge = 1 << 3_321_928  # about a million digits
    start = time.perf_counter()
    assert bounded_repr(huge) == "<int with ~1000000 digits>"
    assert bounded_repr(-huge) == "-<int with ~1000000 digits>"
    assert time.perf_counter() - start < SANITY_S
    assert bounded_repr(10**150) == repr(10**150)
    assert bounded_repr(10**300) == "<int with ~301 digits>"  # more digits than the text can hold
    assert bounded_repr(10**300, limit=1000) == repr(10**300)
    assert bounded_repr(10**5000, limit=100_000) == "<int with ~5001 digits>"  # past Python's own str limit
    assert bounded_repr(-(10**3000), limit=100_000) == repr(-(10**3000))
    assert bounded_repr([huge, 1]) == "[<int with ~1000000 digits>, 1]"
    assert bounded_repr(range(huge)) == "range(0, <int with ~1000000 digits>)"
    assert bounded_repr(fractions.Fraction(huge, 3)) == "Fraction(<int with ~1000000 digits>, 3)"
    many = decimal.Decimal("7" * 1_000_000)
    assert bounded_repr(many).startswith("<Decimal with ~")


def test_huge_strings_and_containers_are_read_only_at_their_head():
    start = time.perf_counter()
    text = bounded_repr("x" * 100_000_000)
    raw = bounded_repr(b"y" * 100_000_000)
    keys = bounded_repr({i: i for i in range(1_000_000)})
    items = bounded_repr(list(range(1_000_000)))
    assert time.perf_counter() - start < SANITY_S * 5  # building the values is most of it
    assert text == "'" + "x" * 196 + "..."
    assert raw == "b'" + "y" * 195 + "..."
    assert keys.startswith("{0: 0, 1: 1, ") and len(keys) == 200
    assert items.startswith("[0, 1, ") and len(items) == 200


def test_surrogates_and_unprintables_are_escaped():
    for value in ("\ud800", {"k\udcff": ["\ud83d"]}, datetime.timezone(datetime.timedelta(0), "z\ud800")):
        text = bounded_repr(value)
        text.encode("utf-8")  # never raises
        assert "\\ud" in text
    assert bounded_repr("a\x00b") == "'a\\x00b'"


class Loud:
    calls: list[str] = []

    def __repr__(self) -> str:
        Loud.calls.append("repr")
        return "LOUD"

    def __str__(self) -> str:
        Loud.calls.append("str")
        return "LOUD"

    def __format__(self, spec: str) -> str:
        Loud.calls.append("format")
        return "LOUD"


class LoudList(list):
    def __repr__(self) -> str:
        Loud.calls.append("list repr")
        return "LOUD"

    def __iter__(self):
        Loud.calls.append("list iter")
        return iter([])


class LoudStr(str):
    def __repr__(self) -> str:
        Loud.calls.append("str repr")
        return "LOUD"


class LoudMeta(type):
    @property
    def __name__(cls) -> str:  # type: ignore[override]
        Loud.calls.append("meta name")
        return "LOUD"


class Named(metaclass=LoudMeta):
    pass


class LoudZone(datetime.tzinfo):
    def utcoffset(self, dt):
        return datetime.timedelta(0)

    def __repr__(self) -> str:
        Loud.calls.append("zone repr")
        return "LOUD"


def test_no_code_of_a_value_runs():
    Loud.calls.clear()
    values = [Loud(), LoudList([1, 2]), LoudStr("s"), Named(), Named, [Loud()] * 3, {Loud(): LoudList()},
              datetime.datetime(2024, 1, 1, tzinfo=LoudZone()), collections.defaultdict(Loud),
              slice(Loud(), None), type("Odd\nName", (), {})()]
    texts = [bounded_repr(v) for v in values]
    assert Loud.calls == []
    assert texts[:5] == ["<Loud object>", "<LoudList object>", "<LoudStr object>", "<Named object>",
                         "<LoudMeta object>"]
    assert texts[5] == "[<Loud object>, <Loud object>, <Loud object>]"
    assert texts[6] == "{<Loud object>: <LoudList object>}"
    assert texts[7] == "datetime.datetime(2024, 1, 1, 0, 0, tzinfo=<LoudZone object>)"
    assert texts[8] == "defaultdict(<class 'Loud'>, {})"
    assert texts[9] == "slice(<Loud object>, None, None)"
    assert texts[10] == "<Odd\\nName object>"
    assert "LOUD" not in "".join(texts)


def test_never_raises_on_odd_limits():
    assert bounded_repr([1], limit=-5) == ""
    assert bounded_repr([1], limit="7") == "[1]"  # type: ignore[arg-type]
    assert bounded_repr([1], limit=None) == "[1]"  # type: ignore[arg-type]


def test_imported_by_path_with_the_standard_library_only():
    code = (f"import sys; sys.path.insert(0, {str(INSIDE)!r}); import fpbox_repr\n"
            "mods = [m for m in ('foulplay', 'pydantic', 'fractions', 'decimal') if m in sys.modules]\n"
            "print(fpbox_repr.bounded_repr([1, 'a', None]), mods)")
    proc = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[1, 'a', None] []"  # imports nothing it does not need
