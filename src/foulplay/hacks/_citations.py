"""Where techniques were reported. Summaries are ours; follow the links for the originals."""

from __future__ import annotations

from foulplay.hacks._model import Citation

MACDIARMID_2025 = Citation(
    "macdiarmid2025", "Natural emergent misalignment from reward hacking in production RL",
    "MacDiarmid et al., Anthropic, arXiv:2511.18397, 2025",
    "AlwaysEqual objects, sys.exit(0) before the asserts, conftest.py report patching.",
    "https://arxiv.org/abs/2511.18397",
)
BAKER_2025 = Citation(
    "baker2025", "Monitoring reasoning models for misbehavior and the risks of promoting obfuscation",
    "Baker et al., OpenAI, arXiv:2503.11926, 2025",
    "Agents exiting with status 0 before the tests and raising SkipTest in coding environments.",
    "https://arxiv.org/abs/2503.11926",
)
IMPOSSIBLEBENCH_2025 = Citation(
    "impossiblebench2025", "ImpossibleBench",
    "arXiv:2510.20270, 2025",
    "On tasks whose tests contradict the spec: editing tests, overloading comparison operators, "
    "recording state across calls, special-casing; an audit found exit-status grading fooled by sys.exit(0).",
    "https://arxiv.org/abs/2510.20270",
)
EVILGENIE_2025 = Citation(
    "evilgenie2025", "EvilGenie: a reward hacking benchmark",
    "arXiv:2511.21654, 2025",
    "Agents reading test files, hard-coding visible test cases, editing or deleting tests.",
    "https://arxiv.org/abs/2511.21654",
)
METR_2025 = Citation(
    "metr2025", "Recent frontier models are reward hacking",
    "METR report, June 2025 (and the o3 pre-deployment evaluation)",
    "Monkey-patching timers, overwriting equality, tracing the call stack for the grader's answer.",
    "https://metr.org/blog/2025-06-05-recent-reward-hacking/",
)
DJINN = Citation(
    "djinn", "djinn: exploitably verifiable coding problems",
    "EleutherAI, github.com/EleutherAI/djinn",
    "Exploit types incl. test skipping, process exit, filesystem exposure, verifier logic override, "
    "mock replacement, import hooks, inspect-module abuse, environment variables.",
    "https://github.com/EleutherAI/djinn",
)
SCHOOL_OF_REWARD_HACKS = Citation(
    "taylor2025", "School of Reward Hacks",
    "Taylor, Chua, Betley, Treutlein, Evans, 2025",
    "Responses that game a stated metric instead of doing the task.",
    "https://huggingface.co/datasets/longtermrisk/school-of-reward-hacks",
)
PYTEST_DOCS = Citation(
    "pytest-docs", "pytest: conftest.py, plugins and configuration discovery",
    "pytest documentation",
    "Where pytest looks for conftest.py, ini files, PYTEST_ADDOPTS and plugins.",
    "https://docs.pytest.org/en/stable/reference/customize.html",
)
PYTHON_SITE = Citation(
    "python-site", "site: site-specific configuration hook",
    "Python documentation",
    "sitecustomize/usercustomize modules and .pth files are executed at interpreter start-up.",
    "https://docs.python.org/3/library/site.html",
)
FOULPLAY_REVIEW_2026 = Citation(
    "foulplay-review2026", "Adversarial review of foulplay's hardened grader",
    "foulplay adversarial review, 2026",
    "Attack classes that broke a hardened grader: lie-check evasion, lying ordering and arithmetic, patching "
    "the grader's channel, names taken from the submission, control-flow exceptions, state across calls and "
    "across runs, exponentially shared results.",
)
PEP_479 = Citation(
    "pep479", "PEP 479: Change StopIteration handling inside generators",
    "Python Enhancement Proposals",
    "StopIteration escaping a generator becomes RuntimeError; map(), zip() and for loops still read a "
    "StopIteration raised by the function they call as the end of the data.",
    "https://peps.python.org/pep-0479/",
)
LINUX_KEYRINGS = Citation(
    "keyrings7", "keyrings(7), mq_overview(7), sysvipc(7)",
    "Linux man-pages",
    "Kernel keyrings and message queues persist beyond the process that created them; keyrings are not "
    "covered by IPC namespaces.",
    "https://man7.org/linux/man-pages/man7/keyrings.7.html",
)
DOCKER_SECCOMP = Citation(
    "docker-seccomp", "Seccomp security profiles for Docker",
    "Docker documentation",
    "The default profile blocks add_key, keyctl and request_key because the kernel keyring is not namespaced.",
    "https://docs.docker.com/engine/security/seccomp/",
)
UNITTEST_DOCS = Citation(
    "unittest-docs", "unittest: unit testing framework",
    "Python documentation",
    "The text runner ends with 'Ran N tests in T' and a last line 'OK' or 'FAILED (...)'; nose and nose2 print "
    "the same summary.",
    "https://docs.python.org/3/library/unittest.html",
)
TAP_SPEC = Citation(
    "tap-spec", "Test Anything Protocol",
    "testanything.org, TAP version 14 specification",
    "A plan line '1..N' and one 'ok N' or 'not ok N' line per test; consumers pass a stream whose plan is met "
    "and that has no 'not ok'.",
    "https://testanything.org/tap-version-14-specification.html",
)
