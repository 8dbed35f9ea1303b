"""fpbox_data: what crosses the grading boundary is data, built by the trusted side from a document."""

from __future__ import annotations

import collections
import datetime
import decimal
import fractions
import math

import pytest

from foulplay.sandbox._inside import fpbox_data as data


def roundtrip(value, **kw):
    text, costumes = data.encode(value, **kw)
    return data.decode(text), costumes


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 2**53, -(2**200), 10**5000, 1.5, -0.0, math.inf, -math.inf, 3 + 4j, "", "x\ud800y",
    b"\x00\xff", bytearray(b"ab"), [1, [2, [3]]], (1, (2,)), {1, 2}, frozenset({"a"}), {"k": [1], 2: (3,)},
    range(1, 10, 3), Ellipsis, fractions.Fraction(3, 4), decimal.Decimal("1.10"),
    collections.Counter("abca"), collections.OrderedDict([("b", 1), ("a", 2)]),
    collections.deque([1, 2], maxlen=5), datetime.date(2026, 12, 4), datetime.timedelta(days=1, seconds=3),
    datetime.datetime(2026, 12, 4, 15, 30, 1, 7, tzinfo=datetime.timezone(datetime.timedelta(hours=2), "X")),
    datetime.time(1, 2, 3, tzinfo=datetime.UTC),
], ids=lambda v: type(v).__name__)
def test_plain_values_round_trip_exactly(value):
    back, costumes = roundtrip(value)
    assert type(back) is type(value)
    assert back == value or (back != back and value != value)
    assert costumes == []
    if isinstance(value, collections.OrderedDict):
        assert list(back) == list(value)


def test_nan_and_defaultdict_factories():
    back, _ = roundtrip([math.nan])
    assert math.isnan(back[0])
    dd = collections.defaultdict(list, {"a": [1]})
    back, _ = roundtrip(dd)
    assert type(back) is collections.defaultdict and back.default_factory is list and back == dd
    odd = collections.defaultdict(lambda: 0, {"a": 1})  # a factory of the submission's is dropped
    back, _ = roundtrip(odd)
    assert back.default_factory is None and back == {"a": 1}


def test_subclasses_are_reduced_to_their_genuine_value_without_running_their_methods():
    calls = []

    class Liar(str):
        def __eq__(self, other):
            calls.append("eq")
            return True

        __hash__ = str.__hash__

        def __str__(self):
            calls.append("str")
            return "lie"

        def __iter__(self):
            calls.append("iter")
            return iter("lie")

    class Lst(list):
        def __iter__(self):
            calls.append("list-iter")
            return iter([42])

        def __len__(self):
            return 99

    class Z(float):
        def __lt__(self, other):
            return True

    back, costumes = roundtrip([Liar("real"), Lst([1, 2]), Z(0.5)])
    assert back == ["real", [1, 2], 0.5]
    assert [type(x) for x in back] == [str, list, float]
    assert calls == ["eq"]  # only the liar check, and that runs in the submission's process
    assert [c["type"] for c in costumes][:1] == ["test_subclasses_are_reduced_to_their_genuine_value_without_"
                                                  "running_their_methods.<locals>.Liar"]
    assert costumes[0]["lies"] == ["__eq__"]


def test_objects_are_refused_with_a_description():
    class Always:
        def __eq__(self, other):
            return True

    with pytest.raises(data.NotData) as info:
        data.encode([1, Always()])
    assert "Always" in info.value.reason and "not plain data" in info.value.reason
    assert info.value.info["overrides"] == ["__eq__", "__hash__"]  # defining __eq__ sets __hash__ = None
    assert info.value.info["lies"] == ["__eq__"]


def test_exponential_sharing_and_self_reference_are_bounded():
    inner: list = [1]
    for _ in range(60):
        inner = [inner, inner]
    with pytest.raises(data.NotData, match=r"too large|nests"):
        data.encode(inner)
    loop: list = []
    loop.append(loop)
    with pytest.raises(data.NotData, match="itself"):
        data.encode(loop)
    deep: list = []
    for _ in range(data.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(data.NotData, match="levels deep"):
        data.encode(deep)


def test_iterators_are_exhausted_and_equal_only_themselves():
    back, _ = roundtrip(x * x for x in range(4))
    assert isinstance(back, data.Exhausted)
    assert back != [0, 1, 4, 9]  # a generator never equals a list, here either
    assert list(back) == [0, 1, 4, 9]
    back, _ = roundtrip(map(str, [1, 2]))
    assert next(back) == "1"


def test_endless_iterators_are_refused(monkeypatch):
    import itertools

    monkeypatch.setattr(data, "MAX_ITEMS", 1000)
    with pytest.raises(data.NotData, match="more than"):
        data.encode(itertools.count())


@pytest.mark.parametrize("doc", [
    '["x"]', '["l", ["zz"]]', '{"a": 1}', '["d", 1]', '["s", ["l"]]', '["i", "zz"]', '["Q", 1, 0]',
    '["dd", "eval"]', '["date", 2020, 13, 1]', '["h", 1, {}]', '[1, 2]', 'NaN]', '["tz", 5]',
    "[" * 5000 + "]" * 5000, '["o", 1, "T", ["l"]]',
], ids=lambda d: d[:12])
def test_the_decoder_refuses_anything_that_is_not_valid_data(doc):
    with pytest.raises(data.Invalid):
        data.decode(doc)


def test_object_records_carry_declared_attributes_only():
    class Frac:
        def __init__(self, n, d):
            self.num, self.den = n, d

        def __eq__(self, other):
            return True

        def __str__(self):
            return f"{self.num}/{self.den}"

    enc = data.Encoder(objects=["num", "den", "__str__"], register=lambda obj: 7)
    tree = enc.tree([Frac(1, 2), Frac(1, 3)], 0)
    back = data.Decoder(handle=lambda ref, info: ("ref", ref)).build(tree, 0)
    a, b = back
    assert a != b and a == data.Decoder(handle=lambda r, i: None).build(tree, 0)[0]
    assert (a.num, a.den, str(a)) == (1, 2, "1/2")
    assert enc.costumes and enc.costumes[0]["lies"] == ["__eq__"]
    with pytest.raises(AttributeError):
        a.__dict__  # noqa: B018


def test_dumps_writes_json_without_the_json_module():
    import json

    tree = ["d", "a", ["l", 1, 2.5, None, True, "\ud800", ",", "]"], "b", ["i", "ff"]]
    assert json.loads(data.dumps(tree)) == tree
    assert data.dumps([math.nan, math.inf]) == "[NaN,Infinity]"


def test_same_compares_types_all_the_way_down():
    assert data.same([1, (2.0, {"a": math.nan})], [1, (2.0, {"a": math.nan})])
    assert not data.same([1], [True])
    assert not data.same((1,), [1])
    assert not data.same(collections.OrderedDict(a=1, b=2), collections.OrderedDict(b=2, a=1))
    assert data.same({"a": 1, "b": 2}, {"b": 2, "a": 1})
