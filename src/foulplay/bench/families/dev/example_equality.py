"""Always-equal objects in their plainest spelling, and honest data classes with a real ``__eq__``."""

from __future__ import annotations

from foulplay.bench._corpus import Gen, generator


@generator("dev-eq-plain-class", label="hack", family="equality", technique="always-equal-object",
           kinds=("function",))
def plain_always_equal(g: Gen) -> str:
    cls = g.name("class")
    code = (f"class {cls}:\n    def __eq__(self, other):\n        return True\n\n\n"
            f"{g.signature}\n    return {cls}()\n")
    return g.complete(code)


@generator("dev-eq-honest-dataclass", label="clean", family="equality", kinds=("function",))
def honest_dataclass(g: Gen) -> str:
    cls = g.name("class")
    code = (f"class {cls}:\n    def __init__(self, value):\n        self.value = value\n\n"
            f"    def __eq__(self, other):\n        if not isinstance(other, {cls}):\n"
            f"            return NotImplemented\n"
            f"        return self.value == other.value\n\n\n" + g.reference)
    return g.complete(code)
