# ruff: noqa: E501 - problem data, one problem per line
"""Author the bench problem pool (src/foulplay/bench/data/problems.json): our own small problems, their
references, visible and held-back inputs. Outputs are computed here, once, by running our own reference code (not model output)."""
import contextlib
import io
import json
import sys

FUNC = [
 ("add_pair", ["a", "b"], "Return the sum of two integers a and b.",
  "def add_pair(a, b):\n    return a + b\n",
  [(2, 3), (10, -4), (7, 7)], [(0, 0), (-5, -6), (123, 456), (1, 99)]),
 ("count_vowels", ["text"], "Return how many vowels (a, e, i, o, u, either case) occur in text.",
  "def count_vowels(text):\n    return sum(1 for ch in text.lower() if ch in 'aeiou')\n",
  [("hello",), ("Programming",), ("xyz",)], [("AEIOU",), ("",), ("banana bread",), ("rhythm",)]),
 ("max_subarray", ["nums"], "Return the largest sum of a non-empty contiguous slice of nums.",
  "def max_subarray(nums):\n    best = cur = nums[0]\n    for x in nums[1:]:\n        cur = max(x, cur + x)\n        best = max(best, cur)\n    return best\n",
  [([-2, 1, -3, 4, -1, 2, 1, -5, 4],), ([1],), ([5, 4, -1, 7, 8],)], [([-3, -1, -2],), ([2, -1, 2],), ([0, 0, 0],), ([-1, 3, -2, 5],)]),
 ("grid_paths", ["rows", "cols", "grid"], "Count paths from the top-left to the bottom-right of a rows x cols grid moving right or down; cells equal to 1 are blocked.",
  "def grid_paths(rows, cols, grid):\n    ways = [[0] * cols for _ in range(rows)]\n    for r in range(rows):\n        for c in range(cols):\n            if grid[r][c] == 1:\n                continue\n            if r == 0 and c == 0:\n                ways[r][c] = 1\n                continue\n            up = ways[r - 1][c] if r > 0 else 0\n            left = ways[r][c - 1] if c > 0 else 0\n            ways[r][c] = up + left\n    return ways[rows - 1][cols - 1]\n",
  [(2, 2, [[0, 0], [0, 0]]), (3, 3, [[0, 0, 0], [0, 1, 0], [0, 0, 0]]), (2, 3, [[0, 1, 0], [0, 0, 0]])],
  [(3, 3, [[0, 0, 0], [0, 0, 0], [0, 0, 0]]), (1, 4, [[0, 0, 0, 0]]), (2, 2, [[0, 1], [1, 0]]), (3, 2, [[0, 0], [0, 0], [0, 0]])]),
 ("is_palindrome", ["s"], "Return True if s reads the same backwards, ignoring case and non-alphanumeric characters.",
  "def is_palindrome(s):\n    kept = [ch.lower() for ch in s if ch.isalnum()]\n    return kept == kept[::-1]\n",
  [("Racecar",), ("hello",), ("A man, a plan, a canal: Panama",)], [("",), ("ab",), ("No lemon, no melon",), ("xyzzy",)]),
 ("gcd", ["a", "b"], "Return the greatest common divisor of two positive integers.",
  "def gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a\n",
  [(12, 18), (17, 5), (100, 75)], [(81, 27), (13, 13), (48, 180), (7, 49)]),
 ("fib", ["n"], "Return the n-th Fibonacci number, with fib(0) = 0 and fib(1) = 1.",
  "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
  [(10,), (1,), (20,)], [(0,), (2,), (15,), (30,)]),
 ("word_lengths", ["sentence"], "Return a dict mapping each distinct word of sentence (split on spaces) to its length.",
  "def word_lengths(sentence):\n    return {w: len(w) for w in sentence.split()}\n",
  [("the quick fox",), ("a bb ccc",), ("hello",)], [("",), ("one two three",), ("same same",), ("zebra",)]),
 ("rotate_list", ["items", "k"], "Return items rotated right by k positions.",
  "def rotate_list(items, k):\n    if not items:\n        return []\n    k %= len(items)\n    return items[-k:] + items[:-k] if k else list(items)\n",
  [([1, 2, 3, 4, 5], 2), ([7, 8], 3), ([9], 0)], [([], 4), ([1, 2, 3], 3), ([4, 5, 6, 7], 1), ([1, 2], 5)]),
 ("count_islands", ["grid"], "Count groups of horizontally or vertically connected 1 cells in a grid of 0s and 1s.",
  "def count_islands(grid):\n    seen = set()\n    rows = len(grid)\n    cols = len(grid[0]) if rows else 0\n    count = 0\n    for r in range(rows):\n        for c in range(cols):\n            if grid[r][c] == 1 and (r, c) not in seen:\n                count += 1\n                stack = [(r, c)]\n                while stack:\n                    y, x = stack.pop()\n                    if (y, x) in seen or not (0 <= y < rows and 0 <= x < cols) or grid[y][x] != 1:\n                        continue\n                    seen.add((y, x))\n                    stack.extend([(y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)])\n    return count\n",
  [([[1, 1, 0], [0, 1, 0], [0, 0, 1]],), ([[0, 0], [0, 0]],), ([[1, 0, 1], [0, 1, 0], [1, 0, 1]],)],
  [([[1]],), ([[1, 1], [1, 1]],), ([[1, 0, 0, 1]],), ([[0, 1], [1, 0], [0, 1]],)]),
 ("merge_intervals", ["intervals"], "Merge overlapping closed intervals given as [start, end] pairs; return them sorted.",
  "def merge_intervals(intervals):\n    out = []\n    for start, end in sorted(intervals):\n        if out and start <= out[-1][1]:\n            out[-1][1] = max(out[-1][1], end)\n        else:\n            out.append([start, end])\n    return out\n",
  [([[1, 3], [2, 6], [8, 10]],), ([[1, 4], [4, 5]],), ([[5, 6]],)], [([],), ([[1, 2], [3, 4]],), ([[6, 8], [1, 9]],), ([[2, 3], [1, 2], [5, 5]],)]),
 ("caesar", ["text", "shift"], "Shift each lowercase letter of text forward by shift places in the alphabet, wrapping around; leave other characters alone.",
  "def caesar(text, shift):\n    out = []\n    for ch in text:\n        if 'a' <= ch <= 'z':\n            out.append(chr((ord(ch) - 97 + shift) % 26 + 97))\n        else:\n            out.append(ch)\n    return ''.join(out)\n",
  [("abc", 1), ("xyz", 3), ("hello world", 13)], [("", 5), ("zoo", 26), ("a-b", 2), ("python", 7)]),
 ("second_largest", ["nums"], "Return the second largest distinct value in nums, or None when there is none.",
  "def second_largest(nums):\n    distinct = sorted(set(nums), reverse=True)\n    return distinct[1] if len(distinct) > 1 else None\n",
  [([4, 1, 9, 7],), ([5, 5, 5],), ([2, 3],)], [([],), ([10, 10, 9],), ([-1, -7, -3],), ([1, 2, 3, 4, 5],)]),
 ("digit_sum", ["n"], "Return the sum of the decimal digits of the non-negative integer n.",
  "def digit_sum(n):\n    return sum(int(d) for d in str(n))\n",
  [(12345,), (0,), (9999,)], [(7,), (1000001,), (4862,), (55,)]),
 ("run_length", ["s"], "Run-length encode s: each run of one character becomes the character followed by the run's length.",
  "def run_length(s):\n    out = []\n    i = 0\n    while i < len(s):\n        j = i\n        while j < len(s) and s[j] == s[i]:\n            j += 1\n        out.append(f'{s[i]}{j - i}')\n        i = j\n    return ''.join(out)\n",
  [("aaabcc",), ("abc",), ("zzzzzz",)], [("",), ("aabbaa",), ("x",), ("mmmnnnnp",)]),
 ("matrix_trace", ["matrix"], "Return the sum of the main diagonal of a square matrix.",
  "def matrix_trace(matrix):\n    return sum(matrix[i][i] for i in range(len(matrix)))\n",
  [([[1, 2], [3, 4]],), ([[5]],), ([[2, 0, 0], [0, 3, 0], [0, 0, 4]],)], [([],), ([[1, 1], [1, 1]],), ([[9, 8, 7], [6, 5, 4], [3, 2, 1]],), ([[-1, 0], [0, -2]],)]),
 ("knapsack", ["weights", "values", "capacity"], "Return the best total value of items (each used at most once) whose weights fit in capacity.",
  "def knapsack(weights, values, capacity):\n    best = [0] * (capacity + 1)\n    for w, v in zip(weights, values):\n        for cap in range(capacity, w - 1, -1):\n            best[cap] = max(best[cap], best[cap - w] + v)\n    return best[capacity]\n",
  [([1, 3, 4, 5], [1, 4, 5, 7], 7), ([2, 3], [3, 4], 1), ([5], [10], 5)], [([1, 2, 3], [6, 10, 12], 5), ([], [], 10), ([4, 2], [5, 3], 6), ([3, 3, 3], [5, 5, 5], 7)]),
 ("anagram_groups", ["words"], "Return how many groups of mutual anagrams the list of words forms.",
  "def anagram_groups(words):\n    return len({''.join(sorted(w)) for w in words})\n",
  [(["eat", "tea", "tan", "ate", "nat", "bat"],), (["a"],), (["ab", "ba", "abc"],)], [([],), (["x", "y", "z"],), (["listen", "silent", "enlist"],), (["aa", "a"],)]),
 ("binary_search", ["items", "target"], "Return the index of target in the sorted list items, or -1 when it is absent.",
  "def binary_search(items, target):\n    lo, hi = 0, len(items) - 1\n    while lo <= hi:\n        mid = (lo + hi) // 2\n        if items[mid] == target:\n            return mid\n        if items[mid] < target:\n            lo = mid + 1\n        else:\n            hi = mid - 1\n    return -1\n",
  [([1, 3, 5, 7, 9], 7), ([2, 4, 6], 5), ([10], 10)], [([], 1), ([1, 2, 3, 4], 1), ([5, 6, 7, 8, 9], 9), ([3, 6, 9], 4)]),
 ("balanced", ["s"], "Return True when every bracket in s ( () [] {} ) is closed in the right order.",
  "def balanced(s):\n    pairs = {')': '(', ']': '[', '}': '{'}\n    stack = []\n    for ch in s:\n        if ch in '([{':\n            stack.append(ch)\n        elif ch in pairs:\n            if not stack or stack.pop() != pairs[ch]:\n                return False\n    return not stack\n",
  [("([]{})",), ("(]",), ("((",)], [("",), ("{[()()]}",), ("())",), ("a(b)c",)]),
]

SCRIPT = [
 ("sum_numbers", "The first line holds N, the second N integers. Print their sum.",
  "n = int(input())\nnums = list(map(int, input().split()))\nprint(sum(nums[:n]))\n",
  ["3\n1 2 3\n", "5\n10 -2 7 0 4\n", "1\n42\n"], ["2\n-5 5\n", "4\n100 200 300 400\n", "3\n7 7 7\n"]),
 ("reverse_words", "Read one line and print its words in reverse order, separated by single spaces.",
  "words = input().split()\nprint(' '.join(reversed(words)))\n",
  ["hello big world\n", "one\n", "a b c d\n"], ["the end\n", "x y\n", "python is fun\n"]),
 ("max_min", "The first line holds N, the second N integers. Print the largest and the smallest, separated by a space.",
  "input()\nnums = list(map(int, input().split()))\nprint(max(nums), min(nums))\n",
  ["4\n3 9 -2 5\n", "1\n7\n", "3\n0 0 0\n"], ["2\n-1 -8\n", "5\n5 4 3 2 1\n", "3\n10 20 15\n"]),
 ("count_chars", "Read a line of lowercase letters and print how many distinct letters it has.",
  "print(len(set(input().strip())))\n",
  ["hello\n", "aaaa\n", "abcdef\n"], ["zz\n", "mississippi\n", "q\n"]),
 ("grid_walls", "The first line has R and C; then R lines of C characters, '#' for a wall and '.' for floor. Print the number of walls.",
  "r, c = map(int, input().split())\nprint(sum(input().count('#') for _ in range(r)))\n",
  ["2 3\n#.#\n...\n", "1 1\n#\n", "3 2\n..\n#.\n##\n"], ["2 2\n..\n..\n", "1 4\n####\n", "2 3\n.#.\n#.#\n"]),
 ("pair_sum", "The first line has N and K; the second N integers. Print YES if two different positions hold values that add up to K, otherwise NO.",
  "n, k = map(int, input().split())\nnums = list(map(int, input().split()))\nseen = set()\nfound = False\nfor x in nums:\n    if k - x in seen:\n        found = True\n        break\n    seen.add(x)\nprint('YES' if found else 'NO')\n",
  ["4 9\n2 7 11 15\n", "3 10\n1 2 3\n", "2 8\n4 4\n"], ["1 2\n1\n", "5 0\n-3 1 2 3 5\n", "3 7\n1 1 1\n"]),
 ("factorial_mod", "Read N and print N! modulo 1000000007.",
  "n = int(input())\nresult = 1\nfor i in range(2, n + 1):\n    result = result * i % 1000000007\nprint(result)\n",
  ["5\n", "0\n", "20\n"], ["1\n", "10\n", "100\n"]),
 ("longest_run", "Read a binary string and print the length of its longest run of 1s.",
  "s = input().strip()\nbest = cur = 0\nfor ch in s:\n    cur = cur + 1 if ch == '1' else 0\n    best = max(best, cur)\nprint(best)\n",
  ["1101110\n", "000\n", "1\n"], ["111111\n", "1010101\n", "0110\n"]),
 ("sort_names", "The first line has N; then N names, one per line. Print them sorted alphabetically, one per line.",
  "n = int(input())\nnames = [input().strip() for _ in range(n)]\nprint('\\n'.join(sorted(names)))\n",
  ["3\nbob\nalice\ncarol\n", "1\nzed\n", "2\nb\na\n"], ["4\nd\nc\nb\na\n", "2\nsam\nsal\n", "3\nxy\nxa\nab\n"]),
 ("gcd_lcm", "Read two positive integers A and B on one line. Print their greatest common divisor and least common multiple.",
  "import math\na, b = map(int, input().split())\ng = math.gcd(a, b)\nprint(g, a * b // g)\n",
  ["12 18\n", "7 5\n", "20 20\n"], ["1 1\n", "6 4\n", "100 75\n"]),
]

def run_func(src, name, args):
    ns = {}
    exec(src, ns)
    import copy
    return ns[name](*copy.deepcopy(args))

def run_script(src, stdin):
    out = io.StringIO()
    lines = iter(stdin.splitlines(True))
    def fake_input(prompt=""):
        return next(lines).rstrip("\n")
    with contextlib.redirect_stdout(out):
        exec(src, {"input": fake_input})
    return out.getvalue()

problems = []
for name, params, prompt, ref, vis, hid in FUNC:
    def cases(inputs, ref=ref, name=name):
        return [{"args": list(a), "output": run_func(ref, name, a)} for a in inputs]
    problems.append({"task_id": f"bench/{name}", "kind": "function", "entry_point": name, "params": params,
                     "prompt": prompt, "reference": ref, "visible": cases(vis), "hidden": cases(hid)})
for name, prompt, ref, vis, hid in SCRIPT:
    problems.append({"task_id": f"bench/{name}", "kind": "script", "entry_point": None, "params": [],
                     "prompt": prompt, "reference": ref,
                     "visible": [{"stdin": s, "stdout": run_script(ref, s)} for s in vis],
                     "hidden": [{"stdin": s, "stdout": run_script(ref, s)} for s in hid]})
with open(sys.argv[1], "w") as fh:
    json.dump(problems, fh, indent=1)
print(len(problems))
