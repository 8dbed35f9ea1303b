"""Quality and speed of `foulplay scan`: a thin wrapper around `foulplay bench`.

`foulplay bench` measures the static rules on the generated corpus (development half, and the held-out
half written blind from the catalog's descriptions), on the bundled real data (HumanEval and MBPP
reference solutions; Inspect logs of RL-trained models) and, here, on the hand-labelled sets of
benchmarks/detection_set (development data: every set there was studied after its blind scoring).
It prints recall and false-positive rate per family, operating point (--min-confidence), generator
and rule, the goals of the detection issue, and rollouts/s on one core.

Run by hand: .venv/bin/python benchmarks/detection.py [--quick] [--record] [extra foulplay bench options]
  --quick   4 items per generator, no hand-labelled sets
  --record  also write src/foulplay/detect/data/measured.json (the "measured at" lines of docs/rules.md;
            regenerate docs/rules.md afterwards with `foulplay rules --format markdown > docs/rules.md`)
"""

from __future__ import annotations

import sys
from pathlib import Path

from foulplay.cli.main import main as foulplay_main

HERE = Path(__file__).resolve().parent
MEASURED = HERE.parent / "src" / "foulplay" / "detect" / "data" / "measured.json"


def main() -> None:
    args = sys.argv[1:]
    argv = ["bench"]
    if "--quick" in args:
        args.remove("--quick")
        argv += ["--per", "4"]
    else:
        for path in sorted((HERE / "detection_set").glob("*.jsonl")):
            argv += ["--labelled", str(path)]
    if "--record" in args:
        args.remove("--record")
        argv += ["--record", str(MEASURED)]
    foulplay_main(argv + args)


if __name__ == "__main__":
    main()
