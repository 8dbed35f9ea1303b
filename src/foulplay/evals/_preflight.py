"""Pre-flight checks for ``foulplay eval``: before any sample runs, is each model's provider known to Inspect,
is its API key in the environment, and does its server answer? Nothing here spends a token, constructs a
model or imports a provider's client library.

What a provider needs is read from the installed Inspect, not from a table kept here: the provider comes
from Inspect's model API registry, and the environment variables from the source of the provider's class
(the ``api_key_vars`` it hands to ``ModelAPI``, the variables its "no key" errors name, the
``model_base_url`` variables it reads, a default key or a default server URL). The one convention spelt
out here is Inspect's for OpenAI-compatible services: ``<SERVICE>_API_KEY`` and ``<SERVICE>_BASE_URL``.
Anything the reading cannot establish is not checked (a check that guesses would block good runs);
``foulplay eval --no-preflight`` skips all of it.
"""

from __future__ import annotations

import ast
import difflib
import importlib.util
import inspect
import ipaddress
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from foulplay.errors import InputError

TIMEOUT = 3.0
"""Seconds a base URL gets to answer."""
_COMPATIBLE_BASE = "OpenAICompatibleAPI"
_ENV_FALLBACK = ("INSPECT_EVAL_MODEL_BASE_URL",)


@dataclass
class ProviderNeeds:
    """What a provider reads from the environment, as far as its source says."""

    provider: str
    key_vars: list[str] = field(default_factory=list)
    """Any one of these holds the key."""
    key_required: bool = False
    key_default: bool = False
    """The provider falls back to a fixed key (local servers: ``ollama``, ``vllm``)."""
    base_url_vars: list[str] = field(default_factory=list)
    default_base_url: str | None = None


# ---------------------------------------------------------------------------------------------
# the registry


def providers() -> dict[str, object]:
    """Inspect's model APIs by the name used in ``provider/model`` (entry points loaded, foulplay's too)."""
    from inspect_ai._util.entrypoints import ensure_entry_points
    from inspect_ai._util.registry import registry_find, registry_unqualified_name

    import foulplay._registry  # noqa: F401 - registers foulplay/dry-run even without the entry point

    ensure_entry_points()
    found: dict[str, object] = {}
    for obj in registry_find(lambda info: info.type == "modelapi"):
        found.setdefault(registry_unqualified_name(obj), obj)
    return found


def _factory(registered: object) -> object | None:
    """The class or the factory function behind a registered model API (``@modelapi`` wraps it)."""
    try:
        wrapped = inspect.getclosurevars(registered).nonlocals.get("wrapped")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return wrapped


def _provider_class(registered: object) -> tuple[str, str] | None:
    """(module, class name) of a provider, without importing the provider's module."""
    wrapped = _factory(registered)
    if wrapped is None:
        return None
    if isinstance(wrapped, type):
        return wrapped.__module__, wrapped.__name__
    try:
        source = inspect.getsource(wrapped)  # type: ignore[arg-type]
        tree = ast.parse(_dedent(source))
    except (OSError, TypeError, SyntaxError):
        return None
    module = getattr(wrapped, "__module__", "") or ""
    imported: dict[str, str] = {}
    returned: str | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _absolute(node, module)
            for alias in node.names:
                imported[alias.asname or alias.name] = target
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Name):
            returned = node.value.id
    if returned and returned in imported:
        return imported[returned], returned
    return None


def _dedent(source: str) -> str:
    import textwrap

    return textwrap.dedent(source)


def _absolute(node: ast.ImportFrom, module: str) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level] if node.level <= len(base) else []
    return ".".join([*base, node.module] if node.module else base)


# ---------------------------------------------------------------------------------------------
# reading a provider's source


@dataclass
class _Facts:
    key_vars: list[str] = field(default_factory=list)
    raise_vars: list[list[str]] = field(default_factory=list)
    key_default: bool = False
    service: str | None = None
    service_key_vars: list[str] = field(default_factory=list)
    service_base_url: str | None = None
    base_url_vars: list[str] = field(default_factory=list)
    uses_model_base_url: bool = False
    compatible: bool = False


@cache
def _module_tree(module: str) -> tuple[ast.Module, dict[str, Any], dict[str, str]] | None:
    """(AST, string constants, imported names -> module) of a module's source, found without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    try:
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    consts: dict[str, Any] = {}
    imports: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = _literal(node.value, consts)
            if value is not None:
                consts[node.targets[0].id] = value
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node, module)
            for alias in node.names:
                imports[alias.asname or alias.name] = target
    return tree, consts, imports


def _literal(node: ast.AST | None, consts: Mapping[str, Any]) -> Any:
    """A string or a list of strings, through module constants; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in consts:
        return consts[node.id]
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal(x, consts) for x in node.elts]
        if items and all(isinstance(x, str) for x in items):
            return items
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("list", "tuple"):
        return _literal(node.args[0], consts) if node.args else None
    return None


def _strings(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


def _is_env_get(call: ast.Call) -> bool:
    """``os.environ.get(...)``, ``os.getenv(...)``."""
    f = call.func
    if isinstance(f, ast.Attribute) and f.attr == "get" and isinstance(f.value, ast.Attribute):
        return f.value.attr == "environ"
    return isinstance(f, ast.Attribute) and f.attr == "getenv"


def _call_name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _is_default_key(node: ast.AST | None) -> bool:
    """``api_key or "fixed"`` / ``os.environ.get(VAR, "fixed")``: a key that is never missing."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return any(_is_default_key(v) or (isinstance(v, ast.Constant) and isinstance(v.value, str))
                   for v in node.values)
    if isinstance(node, ast.Call) and _is_env_get(node) and len(node.args) > 1:
        default = node.args[1]
        return isinstance(default, ast.Constant) and isinstance(default.value, str)
    return False


def _env_names(node: ast.AST, consts: Mapping[str, Any]) -> list[str]:
    """Environment-variable-shaped names a piece of code mentions (constants, f-string parts, lists)."""
    out: list[str] = []
    for sub in ast.walk(node):
        value = _literal(sub, consts) if isinstance(sub, (ast.Name, ast.Constant, ast.List, ast.Tuple)) else None
        for s in _strings(value):
            if s.isupper() and s.replace("_", "").isalnum() and "_" in s:
                out.append(s)
    return out


def _is_key_var(name: str) -> bool:
    return name.endswith(("_API_KEY", "_TOKEN", "_KEY"))


def _class_facts(module: str, name: str, depth: int = 0) -> _Facts:
    facts = _Facts()
    parsed = _module_tree(module)
    if parsed is None or depth > 6:
        return facts
    tree, module_consts, imports = parsed
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)
    if cls is None:
        return facts
    facts.compatible = name == _COMPATIBLE_BASE
    consts = dict(module_consts)  # plus the class's local constants (``base_url_vars = [...]``)
    for node in ast.walk(cls):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = _literal(node.value, consts)
            if value is not None:
                consts.setdefault(node.targets[0].id, value)
    for node in ast.walk(cls):
        if isinstance(node, ast.Call):
            callee = _call_name(node)
            for kw in node.keywords:
                if kw.arg == "api_key_vars":
                    facts.key_vars += _strings(_literal(kw.value, consts))
                elif kw.arg == "api_key_var":
                    facts.service_key_vars += _env_names(kw.value, consts)
                elif kw.arg == "api_key" and callee == "__init__" and _is_default_key(kw.value):
                    facts.key_default = True
                elif kw.arg == "service" and facts.service is None:
                    svc = _literal(kw.value, consts)
                    facts.service = svc if isinstance(svc, str) else None
                elif kw.arg == "service_base_url":
                    url = _literal(kw.value, consts)
                    facts.service_base_url = url if isinstance(url, str) else facts.service_base_url
            if callee == "model_base_url":
                facts.uses_model_base_url = True
                if len(node.args) > 1:
                    facts.base_url_vars += _strings(_literal(node.args[1], consts))
            elif _is_env_get(node) and node.args:
                for var in _strings(_literal(node.args[0], consts)):
                    if var.endswith("_BASE_URL"):
                        facts.base_url_vars.append(var)
                    elif _is_key_var(var):
                        facts.key_vars.append(var)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr == "api_key_vars":
                    facts.key_vars += _strings(_literal(node.value, consts))
                elif isinstance(target, ast.Attribute) and target.attr == "api_key" and _is_default_key(node.value):
                    facts.key_default = True
        elif isinstance(node, ast.Raise) and node.exc is not None:
            facts.raise_vars.append(_env_names(node.exc, consts))
    for base in cls.bases:
        if not isinstance(base, ast.Name):
            continue
        if base.id == _COMPATIBLE_BASE:
            facts.compatible = True
        where = imports.get(base.id, module if any(isinstance(n, ast.ClassDef) and n.name == base.id
                                                    for n in tree.body) else None)
        if where and where.startswith(("inspect_ai", module.split(".")[0])):
            inherited = _class_facts(where, base.id, depth + 1)
            facts.compatible = facts.compatible or inherited.compatible
            facts.key_default = facts.key_default or inherited.key_default
            facts.service = facts.service or inherited.service
            facts.service_base_url = facts.service_base_url or inherited.service_base_url
            facts.service_key_vars = facts.service_key_vars or inherited.service_key_vars
            facts.key_vars += inherited.key_vars
            facts.raise_vars += inherited.raise_vars
            facts.base_url_vars += inherited.base_url_vars
            facts.uses_model_base_url = facts.uses_model_base_url or inherited.uses_model_base_url
    return facts


@cache
def _fallback_base_url_vars() -> tuple[str, ...]:
    """The variables Inspect's ``model_base_url`` falls back to (read from its source when it can be)."""
    try:
        from inspect_ai.model._providers.util import model_base_url

        tree = ast.parse(_dedent(inspect.getsource(model_base_url)))
    except Exception:  # noqa: BLE001 - an Inspect without this helper: use the documented name
        return _ENV_FALLBACK
    names = [n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_env_get(n) and n.args
             and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str)]
    return tuple(names) or _ENV_FALLBACK


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def provider_needs(provider: str, model_name: str = "") -> ProviderNeeds | None:
    """What ``provider`` reads from the environment for ``model_name``; None when Inspect has no such provider."""
    registered = providers().get(provider)
    if registered is None:
        return None
    needs = ProviderNeeds(provider)
    located = _provider_class(registered)
    if located is None:
        return needs
    facts = _class_facts(*located)
    service = facts.service
    if facts.compatible and service is None and "/" in model_name:
        service = model_name.split("/")[0]  # openai-api/<service>/<model>
    key_vars = list(facts.key_vars)
    if facts.compatible and service:
        env = service.upper().replace("-", "_")
        key_vars[:0] = facts.service_key_vars or [f"{env}_API_KEY"]
        needs.base_url_vars.append(f"{env}_BASE_URL")
    key_vars = _unique(key_vars)
    mentioned = [names for names in facts.raise_vars if set(names) & set(key_vars)]
    needs.key_vars = _unique(key_vars + [n for names in mentioned for n in names])
    needs.key_default = facts.key_default
    needs.key_required = bool(needs.key_vars) and not facts.key_default and (facts.compatible or bool(mentioned))
    own = f"{provider.upper().replace('-', '_')}_BASE_URL"
    urls = _unique(needs.base_url_vars + facts.base_url_vars)
    needs.base_url_vars = sorted(urls, key=lambda v: (v != own, not v.startswith(own.removesuffix("BASE_URL"))))
    if facts.uses_model_base_url or facts.compatible:
        needs.base_url_vars = _unique(needs.base_url_vars + list(_fallback_base_url_vars()))
    needs.default_base_url = facts.service_base_url
    return needs


# ---------------------------------------------------------------------------------------------
# the checks


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def probe(base_url: str, key: str | None = None, timeout: float = TIMEOUT) -> tuple[bool, str]:
    """(answered, what happened) for ``GET <base_url>/models``: any HTTP answer counts, except 401/403."""
    parsed = urllib.parse.urlparse(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return False, "not an http(s) URL"
    url = base_url.rstrip("/") + "/models"
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": "foulplay-preflight"})
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    # a loopback server is reached directly, whatever the proxy variables say
    handlers = [urllib.request.ProxyHandler({})] if _is_loopback(parsed.hostname) else []
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=timeout) as response:
            return True, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            return False, f"HTTP {exc.code}: the server refused the API key"
        return True, f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            return False, "connection refused"
        if isinstance(reason, TimeoutError):
            return False, f"no answer within {timeout:g}s"
        if isinstance(reason, socket.gaierror):
            return False, "unknown host"
        return False, str(reason)[:120]
    except TimeoutError:
        return False, f"no answer within {timeout:g}s"
    except (OSError, ValueError) as exc:
        return False, f"{type(exc).__name__}: {str(exc)[:120]}"


def _known_list(names: list[str], wanted: str) -> str:
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
    if close:
        return f"did you mean {' or '.join(close)}?"
    return f"Inspect knows {', '.join(sorted(names))}"


def _arg_flag(flag: str) -> str:
    return "--judge-arg" if flag == "--judge" else "-M"


def check_model(spec: str, model_args: Mapping[str, Any] | None = None, *, flag: str = "--model",
                env: Mapping[str, str] | None = None, timeout: float = TIMEOUT) -> list[str]:
    """Problems with one model (empty when it looks ready): provider, key, server."""
    env = os.environ if env is None else env
    args = dict(model_args or {})
    if "/" not in spec:
        return [f"{flag} {spec}: a model is named provider/model (openai/gpt-4o, ollama/qwen3:8b, foulplay/dry-run)"]
    provider, model_name = spec.split("/", 1)
    needs = provider_needs(provider, model_name)
    if needs is None:
        return [f"{flag} {spec}: unknown model provider {provider!r} ({_known_list(list(providers()), provider)})"]
    problems: list[str] = []
    key = args.get("api_key") or next((env[v] for v in needs.key_vars if env.get(v)), None)
    if needs.key_required and not key:
        problems.append(f"{flag} {spec}: {needs.key_vars[0]} is not set (the {provider} provider reads its key "
                        f"from {' or '.join(needs.key_vars)}; or pass {_arg_flag(flag)} api_key=...)")
        return problems
    url, where = None, ""
    if args.get("base_url"):
        url, where = str(args["base_url"]), "base_url"
    elif args.get("port"):
        url, where = f"http://localhost:{args['port']}/v1", "port"
    else:
        for var in needs.base_url_vars:
            if env.get(var):
                url, where = env[var], var
                break
        else:
            default = needs.default_base_url
            if default and _is_loopback(urllib.parse.urlparse(default).hostname or ""):
                url, where = default, f"{provider}'s default server"
    if url:
        answered, what = probe(url, str(key) if key else None, timeout)
        if not answered:
            problems.append(f"{flag} {spec}: the server at {url} ({where}) does not answer GET /models ({what})")
    return problems


def preflight(models: list[tuple[str, str, Mapping[str, Any]]], *, env: Mapping[str, str] | None = None,
              timeout: float = TIMEOUT) -> None:
    """Check each (flag, model, model args); raise one ``InputError`` naming every problem found."""
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for flag, spec, args in models:
        ident = (spec, repr(sorted(dict(args).items())))
        if ident in seen:
            continue
        seen.add(ident)
        problems += check_model(spec, args, flag=flag, env=env, timeout=timeout)
    if problems:
        raise InputError("pre-flight: " + "; ".join(problems) + " (--no-preflight skips these checks)")
