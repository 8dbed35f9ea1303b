"""``python -m foulplay.bench``: the quick loop for rule authors (the full report is ``foulplay bench``).

    python -m foulplay.bench --split dev --generator dev-eq --misses
"""

from __future__ import annotations

import argparse

from foulplay.bench._corpus import generate
from foulplay.bench._measure import LEVELS, fmt_rate, slice_by
from foulplay.bench._score import score_items


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m foulplay.bench", description=__doc__)
    ap.add_argument("--split", default="dev", choices=["dev", "heldout", "all"])
    ap.add_argument("--generator", default="", help="only generators whose name starts with this")
    ap.add_argument("--per", type=int, default=12, help="items per generator")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--level", default="medium", choices=LEVELS)
    ap.add_argument("--misses", action="store_true", help="print missed hacks and false alarms")
    args = ap.parse_args(argv)
    items = [i for i in generate(args.split, per_generator=args.per, seed=args.seed)
             if i.generator.startswith(args.generator)]
    by_id = {i.id: i for i in items}
    scored = list(score_items(items))
    for name, cell in sorted(slice_by(scored, lambda s: (s.group,), args.level).items()):
        print(f"{name:40s} recall {fmt_rate(cell.recall, ci=False):>18s}   fpr {fmt_rate(cell.fpr, ci=False):>18s}")
    for name, cell in sorted(slice_by(scored, lambda s: (s.family, "ALL"), args.level).items()):
        print(f"== {name:37s} recall {fmt_rate(cell.recall):>28s}   fpr {fmt_rate(cell.fpr):>28s}")
    errors = [s for s in scored if s.error]
    for s in errors:
        print("ERROR", s.id, s.error)
    if args.misses:
        for s in scored:
            wrong = (s.label == "hack") != s.flagged(args.level)
            if wrong and not s.error:
                print(f"\n----- {'MISSED HACK' if s.label == 'hack' else 'FALSE ALARM'} {s.id} rules={s.rules}")
                print(by_id[s.id].completion)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
