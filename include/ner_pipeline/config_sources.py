"""Where settings come from: the YAML layers, environment variables and `--set`, merged in order
with a record of which source set each key (what `ner-pipeline config show` prints).

Order (later wins): the config file (include/config/ner_retraining.yaml, or NER_CONFIG /
--config), the profile file profiles/<profile>.yaml, environment variables
`NER__SECTION__KEY=value`, then `--set key.path=value`. Keys no layer names keep the default
of include/config/ner_retraining.yaml (filled in by the models in config.py).
"""

from __future__ import annotations

import copy
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_FILE = CONFIG_DIR / "ner_retraining.yaml"
DEFAULT = "default"  # the source of a value nothing overrode

Path_ = tuple[str, ...]


class ConfigError(ValueError):
    """Settings that cannot be used; `lines` holds one line per problem (no traceback needed)."""

    def __init__(self, headline: str, lines: Sequence[str] = ()) -> None:
        self.headline, self.lines = headline, list(lines)
        super().__init__("\n  ".join([headline, *self.lines]))


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} is not a mapping of settings")
    return data


@functools.lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return read_yaml(DEFAULT_FILE)


def defaults_at(path: str) -> dict[str, Any]:
    """A deep copy of the default mapping at `a.b` ("" = all of it); {} where there is none."""
    node: Any = _defaults()
    for part in filter(None, path.split(".")):
        node = node.get(part) if isinstance(node, dict) else None
    return copy.deepcopy(node) if isinstance(node, dict) else {}


def parse_value(text: str) -> Any:
    """A YAML scalar (`3` -> 3, `true` -> True, `null` -> None); `{...}`/`[...]` for mappings
    and lists. Anything else stays the string it was (`tiny:` is a model spec, not a dict)."""
    if not text.strip():
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, (dict, list)) and not text.lstrip().startswith(("{", "[")):
        return text
    return value


def parse_override(item: str) -> tuple[list[str], Any]:
    """`training.epochs=3` -> (["training", "epochs"], 3)."""
    if "=" not in item:
        raise ConfigError(f"override {item!r} is not key.path=value")
    k, v = item.split("=", 1)
    return k.strip().split("."), parse_value(v)


@dataclass
class Resolved:
    """The merged settings before validation, and the source of every key a layer set."""

    data: dict[str, Any] = field(default_factory=dict)
    sources: dict[Path_, str] = field(default_factory=dict)

    def _claim(self, path: Path_, source: str) -> None:
        # A value set at `path` replaces whatever was recorded below it.
        for p in [p for p in self.sources if p[: len(path)] == path]:
            del self.sources[p]
        self.sources[path] = source

    def merge(self, extra: Mapping[str, Any], source: str, _at: Path_ = (), _into: dict | None = None) -> None:
        """Deep merge: mappings merge key by key, anything else replaces."""
        into = self.data if _into is None else _into
        for k, v in extra.items():
            if isinstance(v, dict) and isinstance(into.get(k), dict):
                self.merge(v, source, _at + (k,), into[k])
            else:
                into[k] = copy.deepcopy(v)
                self._claim(_at + (k,), source)

    def set(self, path: Sequence[str], value: Any, source: str) -> None:
        node = self.data
        for p in path[:-1]:
            if not isinstance(node.get(p), dict):
                node[p] = {}
            node = node[p]
        node[path[-1]] = value
        self._claim(tuple(path), source)

    def source_of(self, path: Sequence[Any]) -> str:
        """The source of the most specific key set at or above `path`."""
        key = tuple(str(p) for p in path)
        for n in range(len(key), 0, -1):
            if key[:n] in self.sources:
                return self.sources[key[:n]]
        return DEFAULT


def profile_dirs(config_path: Path) -> list[Path]:
    """Profiles beside the config file, then the packaged ones (a custom file keeps them)."""
    dirs = [config_path.parent / "profiles", CONFIG_DIR / "profiles"]
    return list(dict.fromkeys(d.resolve() for d in dirs))


def profile_names(config_path: Path = DEFAULT_FILE) -> list[str]:
    return sorted({p.stem for d in profile_dirs(config_path) for p in d.glob("*.yaml")})


def profile_file(name: str, config_path: Path) -> Path:
    for d in profile_dirs(config_path):
        if (d / f"{name}.yaml").is_file():
            return d / f"{name}.yaml"
    raise ConfigError(f"unknown profile {name!r}: the profiles are {', '.join(profile_names(config_path)) or 'none'}")


def _chosen_profile(profile: str | None, env: Mapping[str, str], r: Resolved) -> tuple[str, str]:
    if profile:
        return profile, "--profile"
    if env.get("NER_PROFILE"):
        return env["NER_PROFILE"], "env NER_PROFILE"
    if r.data.get("profile"):
        return str(r.data["profile"]), r.source_of(["profile"])
    return str(_defaults()["profile"]), DEFAULT


def resolve(profile: str | None = None, overrides: Sequence[str] | None = None,
            config_file: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> Resolved:
    """Every layer merged, in order, with the source of each key (see the module docstring)."""
    env = os.environ if environ is None else environ
    path = Path(config_file or env.get("NER_CONFIG") or DEFAULT_FILE)
    r = Resolved()
    r.merge(read_yaml(path), DEFAULT if path.resolve() == DEFAULT_FILE.resolve() else f"config {path}")
    name, source = _chosen_profile(profile, env, r)
    r.merge(read_yaml(profile_file(name, path)), f"profile {name}")
    r.set(["profile"], name, source)
    for var, value in sorted(env.items()):
        if var.startswith("NER__"):
            r.set([p.lower() for p in var[5:].split("__")], parse_value(value), f"env {var}")
    if env.get("NER_TRAINING_BACKEND"):  # a short alias the README names
        r.set(["training", "backend"], env["NER_TRAINING_BACKEND"], "env NER_TRAINING_BACKEND")
    for item in overrides or []:
        keys, value = parse_override(item)
        r.set(keys, value, "--set")
    return r


def error_lines(exc: Any, resolved: "Resolved | None" = None) -> list[str]:
    """One line per invalid field of a pydantic ValidationError: `path = value: reason (from source)`."""
    by_path: dict[tuple[Any, ...], list[str]] = {}
    shown: dict[tuple[Any, ...], str] = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        by_path.setdefault(loc, []).append(err["msg"].removeprefix("Value error, "))
        value = err.get("input")
        if loc not in shown and not isinstance(value, dict) and err["type"] != "missing":
            text = repr(value)
            shown[loc] = f" = {text if len(text) <= 60 else text[:57] + '...'}"
    out = []
    for loc, reasons in by_path.items():
        source = f" (from {resolved.source_of(loc)})" if resolved is not None else ""
        out.append(f"{'.'.join(map(str, loc)) or '(settings)'}{shown.get(loc, '')}: {'; '.join(reasons)}{source}")
    return out
