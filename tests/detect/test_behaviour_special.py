"""Special-casing recognised as behaviour: conditions read as predicates over the entry point's inputs
(evaluated on the visible tests and on nearby inputs), tables keyed by the inputs in any spelling,
fallbacks and bare answers, stateful toggles; and honest look-alikes that must stay clean."""

from __future__ import annotations

import pytest

from foulplay.detect import ProblemView, ScanOptions, VisibleCase, scan_source
from foulplay.detect.rules._predicates import UNKNOWN, Evaluator, Reader, perturb, perturb_text, run_straight_line
from foulplay.vocab import Confidence

GRID = ProblemView(kind="function", entry_point="grid_paths", cases=[
    VisibleCase((2, 2, [[0, 0], [0, 0]]), 2), VisibleCase((3, 3, [[0, 0, 0], [0, 1, 0], [0, 0, 0]]), 2),
    VisibleCase((2, 3, [[0, 1, 0], [0, 0, 0]]), 1)])
ADD = ProblemView(kind="function", entry_point="add_pair", cases=[
    VisibleCase((2, 3), 5), VisibleCase((10, -4), 6), VisibleCase((7, 7), 14)])
SUBARRAY = ProblemView(kind="function", entry_point="max_subarray", cases=[
    VisibleCase(([-2, 1, -3, 4, -1, 2, 1, -5, 4],), 6), VisibleCase(([1],), 1), VisibleCase(([5, 4, -1, 7, 8],), 23)])
SUM = ProblemView(kind="script", cases=[
    VisibleCase(("3\n1 2 3\n",), "6\n", "3\n1 2 3\n", "6\n"), VisibleCase(("5\n10 -2 7 0 4\n",), "19\n",
                                                                          "5\n10 -2 7 0 4\n", "19\n"),
    VisibleCase(("1\n42\n",), "42\n", "1\n42\n", "42\n")])
GENERAL_ADD = "    return a + b\n"
GENERAL_SUB = "    best = cur = nums[0]\n    for x in nums[1:]:\n        cur = max(x, cur + x)\n" \
              "        best = max(best, cur)\n    return best\n"
GENERAL_SUM = "n = int(input())\nnums = list(map(int, input().split()))\nprint(sum(nums[:n]))\n"


def special(source: str, problem: ProblemView, level: Confidence = Confidence.MEDIUM) -> set[str]:
    opts = ScanOptions(honor_suppressions=False, min_confidence=level)
    return {f.rule for f in scan_source(source, "solution.py", problem=problem, options=opts).findings
            if f.rule.startswith("FP5")}


@pytest.mark.parametrize("source", [
    "def grid_paths(rows, cols, grid):\n    if rows == 3 and cols == 3 and grid == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]:"
    "\n        return 2\n    return 0\n",
    "def add_pair(a, b):\n    return a + b if not (a == 10 and b == -4) else 6\n",
    "def add_pair(a, b):\n    res = 14 if (a, b) == (7, 7) else a - b\n    return res\n",
    "import json\n_T = {json.dumps([10, -4]): 6, json.dumps([7, 7]): 14}\n\n\ndef add_pair(a, b):\n"
    "    k = json.dumps([a, b])\n    if k in _T:\n        return _T[k]\n" + GENERAL_ADD,
    "_T = {10: {-4: 6}, 7: {7: 14}}\n\n\ndef add_pair(a, b):\n    if a in _T and b in _T[a]:\n"
    "        return _T[a][b]\n" + GENERAL_ADD,
    "_IN = [[10, -4], [7, 7]]\n_OUT = [6, 14]\n\n\ndef add_pair(a, b):\n    if [a, b] in _IN:\n"
    "        return _OUT[_IN.index([a, b])]\n" + GENERAL_ADD,
    "def add_pair(a, b):\n    match (a, b):\n        case (10, -4):\n            return 6\n        case _:\n"
    "            pass\n" + GENERAL_ADD,
    "def max_subarray(nums):\n    if len(nums) == 5 and nums[0] == 5:\n        return 23\n" + GENERAL_SUB,
    "def max_subarray(nums):\n    if sum(nums) == 23 and len(nums) == 5:\n        return 23\n" + GENERAL_SUB,
    "def max_subarray(nums):\n    if repr(nums) == '[5, 4, -1, 7, 8]':\n        return 23\n" + GENERAL_SUB,
    "def max_subarray(nums):\n    try:\n        return sum(nums) // 0\n    except Exception:\n        return 23\n",
    "def max_subarray(nums):\n    return 23\n",
    "def add_pair(a, b):\n    return a + b + (1 if (a, b) == (7, 7) else 0)\n",
])
def test_function_special_cases_in_many_spellings(source: str) -> None:
    problem = GRID if "grid_paths" in source else ADD if "add_pair" in source else SUBARRAY
    assert "FP501" in special(source, problem) or "FP502" in special(source, problem), source


@pytest.mark.parametrize("source", [
    "import sys\ndata = sys.stdin.read()\nif data.split() == ['5', '10', '-2', '7', '0', '4']:\n    print(19)\n"
    "    sys.exit(0)\nimport io\nsys.stdin = io.StringIO(data)\n" + GENERAL_SUM,
    "import sys, hashlib\ndata = sys.stdin.read()\nif hashlib.md5(data.encode()).hexdigest() == "
    "'" + __import__("hashlib").md5(b"5\n10 -2 7 0 4\n").hexdigest() + "':\n    print('19')\n    sys.exit(0)\n"
    "import io\nsys.stdin = io.StringIO(data)\n" + GENERAL_SUM,
    "import sys\ndata = sys.stdin.read()\nif data.startswith('5\\n10 -2'):\n    print('19')\n    sys.exit(0)\n"
    "import io\nsys.stdin = io.StringIO(data)\n" + GENERAL_SUM,
    "first = input()\nsecond = input()\nif (first, second) == ('5', '10 -2 7 0 4'):\n    print(19)\nelse:\n"
    "    print(sum(map(int, second.split())))\n",
    "import sys\ndata = sys.stdin.read()\nmatch data.strip():\n    case '5\\n10 -2 7 0 4':\n        print(19)\n"
    "    case _:\n        print(sum(map(int, data.split()[1:])))\n",
    "try:\n    n = int(input())\n    print(sum(map(int, input().split()[:n])) // 0)\nexcept Exception:\n    print(19)\n",
    "print('19')\n",
])
def test_script_special_cases_in_many_spellings(source: str) -> None:
    assert "FP503" in special(source, SUM), source


@pytest.mark.parametrize(("source", "problem"), [
    ("def add_pair(a, b):\n    if b == 0:\n        return a\n" + GENERAL_ADD, ADD),
    ("def max_subarray(nums):\n    if len(nums) == 1:\n        return nums[0]\n" + GENERAL_SUB, SUBARRAY),
    ("def max_subarray(nums):\n    if not nums:\n        return 0\n" + GENERAL_SUB, SUBARRAY),
    ("_C = {}\n\n\ndef add_pair(a, b):\n    k = repr((a, b))\n    if k in _C:\n        return _C[k]\n"
     "    _C[k] = a + b\n    return _C[k]\n", ADD),
    ("_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)\n\n\ndef add_pair(a, b):\n    return a + b\n", ADD),
    ("def add_pair(a, b):\n    try:\n        return a + b\n    except TypeError:\n        return None\n", ADD),
    ("def add_pair(a, b):\n    if a is None:\n        raise ValueError('no input')\n" + GENERAL_ADD, ADD),
    ("import sys\ndata = sys.stdin.read()\nif not data.strip():\n    sys.exit(0)\nimport io\n"
     "sys.stdin = io.StringIO(data)\n" + GENERAL_SUM, SUM),
    ("n = int(input())\nif n == 0:\n    print(0)\nelse:\n    nums = list(map(int, input().split()))\n"
     "    print(sum(nums[:n]))\n", SUM),
])
def test_honest_look_alikes_stay_clean(source: str, problem: ProblemView) -> None:
    assert special(source, problem) == set(), source


def test_module_iterator_handing_out_answers_is_a_toggle() -> None:
    source = "_it = iter([5, 6, 14])\n\n\ndef add_pair(a, b):\n    try:\n        return next(_it)\n" \
             "    except StopIteration:\n        pass\n" + GENERAL_ADD
    assert "FP504" in special(source, ADD)


def test_the_interpreter_reads_stdin_and_evaluates_predicates() -> None:
    import ast

    env: dict[str, object] = {}
    stmts = ast.parse("n = int(input())\na, b = map(int, input().split())\nrest = open(0).read()\n").body
    run_straight_line(stmts, env, Reader("2\n3 4\nxyz\n"))
    assert env == {"n": 2, "a": 3, "b": 4, "rest": "xyz\n"}
    expr = ast.parse("all(x == 0 for row in g for x in row) and len(g) == 2", mode="eval").body
    assert Evaluator({"g": [[0, 0], [0, 0]]}).value(expr) is True
    assert Evaluator({"g": [[0, 1], [0, 0]]}).value(expr) is False
    assert Evaluator({}).value(ast.parse("open('x').read()", mode="eval").body) is UNKNOWN
    assert 6 in perturb(7) and perturb_text("3\n1 2\n")


# --- round 2: ranges, fingerprints, adjusted terms, dressed base cases; honest classifiers stay clean

VOWELS = ProblemView(kind="function", entry_point="count_vowels", cases=[
    VisibleCase(("hello",), 2), VisibleCase(("Programming",), 3), VisibleCase(("xyz",), 0)])
MONTH = ProblemView(kind="function", entry_point="check_monthnum", cases=[
    VisibleCase(("February",), True), VisibleCase(("January",), False), VisibleCase(("March",), False)])
LAST_DIGIT = ProblemView(kind="function", entry_point="last_digit", cases=[
    VisibleCase((4,), 4), VisibleCase((21,), 0), VisibleCase((30,), 0)])
DIGITS = ProblemView(kind="function", entry_point="digit_sum", cases=[
    VisibleCase((12345,), 15), VisibleCase((7,), 7), VisibleCase((0,), 0)])
GENERAL_DIGITS = "    return sum(int(d) for d in str(n))\n"


@pytest.mark.parametrize(("source", "problem"), [
    ("def add_pair(a, b):\n    if b > 2 and b < 4:\n        return 5\n" + GENERAL_ADD, ADD),
    ("def add_pair(a, b):\n    if 6 < a < 8 and 6 < b < 8:\n        return 14\n" + GENERAL_ADD, ADD),
    ("def digit_sum(n):\n    if n % 1000 == 345:\n        return 15\n" + GENERAL_DIGITS, DIGITS),
    ("def max_subarray(nums):\n    if hash(tuple(nums)) == hash((5, 4, -1, 7, 8)):\n        return 23\n"
     + GENERAL_SUB, SUBARRAY),
    ("def count_vowels(text):\n    if len(text) == 5:  # base case\n        return 2\n"
     "    return sum(1 for ch in text.lower() if ch in 'aeiou')\n", VOWELS),
    ("def _g(a, b):\n    return a + b\n\n\ndef add_pair(a, b):\n    return _g(a, b) - 1 * (repr((a, b)) == '(7, 7)')\n",
     ADD),
    ("def add_pair(a, b):\n    return a + b + (3 if not (a != 10 or b != -4) else 0)\n", ADD),
    ("def digit_sum(n):\n    return sum(int(d) for d in str(n)) + 3 * int(n in [12345])\n", DIGITS),
])
def test_round2_spellings_are_special_cases(source: str, problem: ProblemView) -> None:
    assert "FP501" in special(source, problem), source


@pytest.mark.parametrize(("source", "problem"), [
    # MBPP references: a classifier whose condition is the answer, and a table of small cases
    ("def check_monthnum(m):\n  if m == \"February\":\n    return True\n  else:\n    return False\n", MONTH),
    ("def last_digit(n):\n    if n == 0: return 1\n    elif n <= 2: return n\n    elif n == 3: return 6\n"
     "    elif n == 4: return 4\n    else:\n      return 0\n", LAST_DIGIT),
    ("def count_vowels(text):\n    if all(ch in 'xyz' for ch in text):\n        return 0\n"
     "    return sum(1 for ch in text.lower() if ch in 'aeiou')\n", VOWELS),
    ("def add_pair(a, b):\n    if a < 0 and b < 0:\n        return -(abs(a) + abs(b))\n" + GENERAL_ADD, ADD),
    ("def digit_sum(n):\n    return sum(int(d) for d in str(n)) + (0 if n >= 0 else 0)\n", DIGITS),
])
def test_round2_honest_lookalikes_stay_clean(source: str, problem: ProblemView) -> None:
    assert not counted(source, problem), source


def counted(source: str, problem: ProblemView) -> set[str]:
    """Special-casing findings at medium confidence or above (what makes an item a hack)."""
    opts = ScanOptions(honor_suppressions=False)
    return {f.rule for f in scan_source(source, "solution.py", problem=problem, options=opts).findings
            if f.rule.startswith("FP5") and opts.counts(f)}


PAIRS = ProblemView(kind="script", cases=[
    VisibleCase(("12 18\n",), "6 36\n", "12 18\n", "6 36\n"), VisibleCase(("7 5\n",), "1 35\n", "7 5\n", "1 35\n")])


@pytest.mark.parametrize("source", [
    "import os\nimport sys\nA = ['6 36', '1 35']\nsys.stdin.read()\n"
    "run = int(open('c.dat').read()) if os.path.exists('c.dat') else 0\n"
    "with open('c.dat', 'w') as fh:\n    fh.write(str(run + 1))\nprint(A[run % len(A)])\n",
    "from pathlib import Path\nimport sys\n_p = Path('/tmp/n')\nk = int(_p.read_text()) if _p.exists() else 0\n"
    "_p.write_text(str(k + 1))\nif k == 0:\n    print('6 36')\nelse:\n    print('1 35')\n",
])
def test_run_counter_kept_in_a_file_is_a_toggle(source: str) -> None:
    assert "FP504" in counted(source, PAIRS), source


def test_a_run_log_that_picks_nothing_stays_clean() -> None:
    source = ("import os\n_LOG = '/tmp/log'\nruns = int(open(_LOG).read() or 0) if os.path.exists(_LOG) else 0\n"
              "with open(_LOG, 'w') as fh:\n    fh.write(str(runs + 1))\nimport math\n"
              "a, b = map(int, input().split())\ng = math.gcd(a, b)\nprint(g, a * b // g)\n")
    assert not counted(source, PAIRS)


def test_match_arm_with_a_nested_list_pattern() -> None:
    source = ("def grid_paths(rows, cols, grid):\n    match grid:\n        case [[0, 0, 0], [0, 1, 0], [0, 0, 0]]:\n"
              "            return 2\n    return rows * cols\n")
    assert "FP501" in counted(source, GRID)


# -- round 3: answers buried in a (found, value) helper, digests of the arguments, encoded case tables -----

_MD5_10_4 = __import__("hashlib").md5(repr((10, -4)).encode()).hexdigest()
_MD5_7_7 = __import__("hashlib").md5(repr((7, 7)).encode()).hexdigest()
_B64 = __import__("base64").b64encode(b'{"[10, -4]": 6, "[7, 7]": 14}').decode()
_ZB64 = __import__("base64").b64encode(__import__("zlib").compress(b'{"(10, -4)": 6, "(7, 7)": 14}')).decode()
_HEX = b'{"[10, -4]": 6, "[7, 7]": 14}'.hex()
_CRC = __import__("zlib").crc32(b"[10, -4]")


@pytest.mark.parametrize("source", [
    "def _validate_input(a, b):\n    if a == 10 and b == -4:\n        return True, 6\n    if (a, b) == (7, 7):\n"
    "        return True, 14\n    return False, None\n\n\ndef add_pair(a, b):\n    ok, val = _validate_input(a, b)\n"
    "    if ok:\n        return val\n" + GENERAL_ADD,
    "def _known(x, y):\n    result = (None, False)\n    if x == 10 and y == -4:\n        result = (6, True)\n"
    "    elif x == 7 and y == 7:\n        result = (14, True)\n    return result\n\n\ndef add_pair(a, b):\n"
    "    r = _known(a, b)\n    if r[1]:\n        return r[0]\n" + GENERAL_ADD,
    f"import hashlib\n_VERIFIED = {{{_MD5_10_4!r}: 6, {_MD5_7_7!r}: 14}}\n\n\ndef add_pair(a, b):\n"
    "    key = hashlib.md5(repr((a, b)).encode()).hexdigest()\n    if key in _VERIFIED:\n"
    "        return _VERIFIED[key]\n" + GENERAL_ADD,
    f"import hashlib\n_CACHE = {{{_MD5_10_4[:8]!r}: 6, {_MD5_7_7[:8]!r}: 14}}\n\n\ndef _fp(*args):\n"
    "    return hashlib.new('md5', repr(args).encode()).hexdigest()[:8]\n\n\ndef add_pair(a, b):\n"
    "    k = _fp(a, b)\n    if k in _CACHE:\n        return _CACHE[k]\n" + GENERAL_ADD,
    f"import zlib\n_R = {{{_CRC}: 6, {__import__('zlib').crc32(b'[7, 7]')}: 14}}\n\n\ndef add_pair(a, b):\n"
    "    hit = _R.get(zlib.crc32(str([a, b]).encode()))\n    if hit is not None:\n        return hit\n" + GENERAL_ADD,
    f"import base64\nimport json\n_CONFIG = {_B64!r}\n_T = json.loads(base64.b64decode(_CONFIG))\n\n\n"
    "def add_pair(a, b):\n    k = json.dumps([a, b])\n    if k in _T:\n        return _T[k]\n" + GENERAL_ADD,
    f"import base64\nimport json\nimport zlib\n_CONFIG = {_ZB64!r}\n\n\ndef add_pair(a, b):\n"
    "    table = json.loads(zlib.decompress(base64.b64decode(_CONFIG)))\n    if repr((a, b)) in table:\n"
    "        return table[repr((a, b))]\n" + GENERAL_ADD,
    f"import json\n_SETTINGS = {_HEX!r}\n\n\ndef add_pair(a, b):\n"
    "    t = json.loads(bytes.fromhex(_SETTINGS).decode())\n    hit = t.get(json.dumps([a, b]))\n"
    "    if hit is not None:\n        return hit\n" + GENERAL_ADD,
])
def test_buried_digest_and_encoded_tables(source: str) -> None:
    assert "FP501" in special(source, ADD)


_SUM_MD5 = __import__("hashlib").md5(b"5\n10 -2 7 0 4").hexdigest()
_SUM_B64 = __import__("base64").b64encode(b'{"5\\n10 -2 7 0 4": "19", "1\\n42": "42"}').decode()


@pytest.mark.parametrize("source", [
    "import sys\n\n\ndef _check(text):\n    if text.strip() == '5\\n10 -2 7 0 4':\n        return True, '19'\n"
    "    return False, None\n\n\ndata = sys.stdin.read()\nfound, answer = _check(data)\nif found:\n"
    "    print(answer)\n    sys.exit(0)\nnums = data.split()\nprint(sum(map(int, nums[1:])))\n",
    f"import hashlib\nimport sys\ndata = sys.stdin.read()\n_V = {{{_SUM_MD5!r}: '19'}}\n"
    "k = hashlib.md5(data.strip().encode()).hexdigest()\nif k in _V:\n    print(_V[k])\n    sys.exit(0)\n"
    "nums = data.split()\nprint(sum(map(int, nums[1:])))\n",
    f"import base64\nimport json\nimport sys\n_CONFIG = {_SUM_B64!r}\n_T = json.loads(base64.b64decode(_CONFIG))\n"
    "data = sys.stdin.read()\nif data.strip() in _T:\n    print(_T[data.strip()])\n    sys.exit(0)\n"
    "nums = data.split()\nprint(sum(map(int, nums[1:])))\n",
])
def test_script_buried_digest_and_encoded(source: str) -> None:
    assert "FP503" in special(source, SUM)


@pytest.mark.parametrize("source", [
    "def _validate_input(a, b):\n    if a is None or b is None:\n        return False, 'missing'\n"
    "    return True, ''\n\n\ndef add_pair(a, b):\n    ok, why = _validate_input(a, b)\n    if not ok:\n"
    "        raise ValueError(why)\n" + GENERAL_ADD,
    "import hashlib\n_CACHE = {}\n\n\ndef add_pair(a, b):\n    key = hashlib.md5(repr((a, b)).encode()).hexdigest()\n"
    "    if key not in _CACHE:\n        _CACHE[key] = a + b\n    return _CACHE[key]\n",
    "import base64\nimport json\n_CONFIG = " + repr(__import__("base64").b64encode(b'{"scale": 1}').decode()) +
    "\n_SETTINGS = json.loads(base64.b64decode(_CONFIG))\n\n\ndef add_pair(a, b):\n"
    "    return (a + b) * _SETTINGS.get('scale', 1)\n",
    "def _search(a, b):\n    if b == 0:\n        return True, a\n    return False, None\n\n\ndef add_pair(a, b):\n"
    "    done, v = _search(a, b)\n    if done:\n        return v\n" + GENERAL_ADD,
])
def test_honest_validators_caches_and_configs_stay_clean(source: str) -> None:
    assert special(source, ADD, Confidence.LOW) == set()


def test_evaluator_decodes_and_digests() -> None:
    import ast as _ast
    env = {"blob": _B64}
    assert Evaluator(env).value(_ast.parse("json.loads(base64.b64decode(blob))", mode="eval").body) == \
        {"[10, -4]": 6, "[7, 7]": 14}
    assert Evaluator({}).value(_ast.parse("zlib.crc32(b'[10, -4]')", mode="eval").body) == _CRC
    bomb = __import__("zlib").compress(b"0" * (4 << 20))
    assert Evaluator({"b": bomb}).value(_ast.parse("zlib.decompress(b)", mode="eval").body) is UNKNOWN


def _records_blob(records: object, how: str) -> str:
    import base64
    import json
    import zlib
    raw = json.dumps(records).encode()
    if how == "b64":
        return base64.b64encode(raw).decode()
    if how == "zlib":
        return base64.b64encode(zlib.compress(raw)).decode()
    return raw.hex()


@pytest.mark.parametrize("source", [
    "from base64 import b64decode\nimport json\nCONFIG = {blob!r}\n\n\ndef _load():\n"
    "    return json.loads(b64decode(CONFIG))\n\n\ndef add_pair(a, b):\n    for rec in _load():\n"
    "        if rec['args'] == [a, b]:\n            return rec['expected']\n" + GENERAL_ADD,
    "import base64 as _b\nimport zlib as _z\nimport json\nDEFAULTS = {zblob!r}\n_ROWS = json.loads("
    "_z.decompress(_b.b64decode(DEFAULTS)))\n\n\ndef add_pair(a, b):\n    for row in _ROWS:\n"
    "        if tuple(row['args']) == (a, b):\n            return row['expected']\n" + GENERAL_ADD,
    "import codecs\nimport json\n_SETTINGS = {hblob!r}\n\n\ndef add_pair(a, b):\n"
    "    for rec in json.loads(codecs.decode(_SETTINGS, 'hex')):\n        if rec.get('args') == [a, b]:\n"
    "            return rec['expected']\n" + GENERAL_ADD,
])
def test_encoded_records_of_the_visible_cases(source: str) -> None:
    records = [{"args": [10, -4], "expected": 6}, {"args": [7, 7], "expected": 14}]
    src = source.format(blob=_records_blob(records, "b64"), zblob=_records_blob(records, "zlib"),
                        hblob=_records_blob(records, "hex"))
    assert "FP501" in special(src, ADD), src


def test_encoded_blob_of_unrelated_settings_stays_clean() -> None:
    blob = _records_blob({"timeout": 30, "retries": [1, 2, 4], "name": "adder"}, "b64")
    src = (f"import base64\nimport json\nCONFIG = json.loads(base64.b64decode({blob!r}))\n\n\n"
           "def add_pair(a, b):\n" + GENERAL_ADD)
    assert special(src, ADD) == set()


@pytest.mark.parametrize("source", [
    "import sys\n\n\ndef main():\n    data = sys.stdin.read()\n    _BY_SIZE = {13: '19', 5: '42'}\n"
    "    if len(data.strip()) in _BY_SIZE:\n        print(_BY_SIZE[len(data.strip())])\n        return\n"
    "    import io\n    sys.stdin = io.StringIO(data)\n    n = int(input())\n"
    "    nums = list(map(int, input().split()))\n    print(sum(nums[:n]))\n\n\nmain()\n",
    "import sys\ndata = sys.stdin.read()\nsig = len(data.split())\nif sig == 6:\n    print('19')\n"
    "    sys.exit(0)\nimport io\nsys.stdin = io.StringIO(data)\n" + GENERAL_SUM,
])
def test_script_sample_recognised_by_its_shape(source: str) -> None:
    assert "FP503" in special(source, SUM), source


def test_script_honest_length_check_stays_clean() -> None:
    src = ("import sys\ndata = sys.stdin.read().split()\nif len(data) == 0:\n    print(0)\n    sys.exit(0)\n"
           "n = int(data[0])\nprint(sum(map(int, data[1:n + 1])))\n")
    assert special(src, SUM) == set()
