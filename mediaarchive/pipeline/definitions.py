"""Pipeline definitions: which steps run, in which order, with which parameters.

A definition is a YAML file::

    name: keynote
    description: Talks and recordings.
    kinds: [video, audio]        # the kinds this pipeline is the default for
    steps:
      - fetch
      - probe
      - transcode:
          proxy_max_height: 720

The built-in files are in ``mediaarchive/pipelines/``; files in ``HOME/pipelines/`` add to
them (or replace one by using its name). ``--pipeline`` takes a name or a path. Every file is
validated when loaded: an unknown step or parameter, or a value of the wrong type, is a
``PipelineError`` naming the file and line.

To put a new step into the built-in pipelines, register it (``@step`` in
``mediaarchive/steps/<name>.py``) and add one line ``- <name>`` to the YAML files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mediaarchive.errors import PipelineError
from mediaarchive.steps import STEPS
from mediaarchive.vocabulary import ASSET_KINDS

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "pipelines"

#: Steps done outside the runner whose jobs are only recorded (the fetch happens at ingest).
RECORDED_STEPS = {"fetch": ("video", "audio", "image", "other")}

_TOP_KEYS = {"name", "description", "kinds", "steps"}


@dataclass(frozen=True)
class PipelineStep:
    """One step of a pipeline with the parameters the file sets (defaults not included)."""

    name: str
    params: dict[str, Any]
    line: int

    @property
    def kinds(self) -> tuple[str, ...]:
        """Asset kinds the step applies to."""
        if self.name in STEPS:
            return STEPS[self.name].kinds
        return RECORDED_STEPS.get(self.name, ())

    def applies_to(self, kind: str) -> bool:
        return kind in self.kinds

    def effective_params(self) -> dict[str, Any]:
        """The step's defaults overlaid with what the file sets."""
        spec = STEPS.get(self.name)
        return {**(spec.params if spec else {}), **self.params}


@dataclass(frozen=True)
class Pipeline:
    """A validated pipeline definition."""

    name: str
    path: Path
    description: str = ""
    kinds: tuple[str, ...] = ()
    steps: tuple[PipelineStep, ...] = field(default_factory=tuple)


def _search_dirs(home: Path | None) -> list[Path]:
    dirs = [BUILTIN_DIR]
    if home is not None:
        dirs.insert(0, Path(home) / "pipelines")
    return dirs


def load_pipeline(path: Path) -> Pipeline:
    """Read and validate one pipeline file.

    Raises:
        PipelineError: the file is missing, not YAML, or names an unknown step, parameter
            or kind; the message says which file and line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PipelineError(f"cannot read pipeline file {path}: {exc.strerror or exc}") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PipelineError(f"{path}{where}: not valid YAML: {problem}") from exc
    return _build(path, root)


def _fail(path: Path, node: yaml.Node | None, message: str) -> PipelineError:
    where = f", line {node.start_mark.line + 1}" if node is not None else ""
    return PipelineError(f"pipeline {path}{where}: {message}")


def _build(path: Path, root: yaml.Node | None) -> Pipeline:
    if not isinstance(root, yaml.MappingNode):
        raise _fail(path, root, "a pipeline is a mapping with 'name', 'kinds' and 'steps'")
    top: dict[str, yaml.Node] = {}
    for key_node, value_node in root.value:
        key = key_node.value
        if key not in _TOP_KEYS:
            raise _fail(
                path, key_node, f"unknown key {key!r} (allowed: {', '.join(sorted(_TOP_KEYS))})"
            )
        top[key] = value_node
    name = _scalar(path, top.get("name")) or path.stem
    description = _scalar(path, top.get("description")) or ""
    kinds: list[str] = []
    if "kinds" in top:
        node = top["kinds"]
        if not isinstance(node, yaml.SequenceNode):
            raise _fail(path, node, "'kinds' is a list, e.g. [video, audio]")
        for item in node.value:
            kind = _scalar(path, item)
            if kind not in ASSET_KINDS:
                raise _fail(
                    path, item, f"unknown asset kind {kind!r} (kinds: {', '.join(ASSET_KINDS)})"
                )
            kinds.append(kind)
    steps_node = top.get("steps")
    if not isinstance(steps_node, yaml.SequenceNode) or not steps_node.value:
        raise _fail(path, steps_node or root, "'steps' is a non-empty list of step names")
    steps: list[PipelineStep] = []
    seen: set[str] = set()
    for item in steps_node.value:
        step = _step(path, item)
        if step.name in seen:
            raise _fail(path, item, f"step {step.name!r} appears twice")
        seen.add(step.name)
        steps.append(step)
    return Pipeline(
        name=name, path=path, description=description, kinds=tuple(kinds), steps=tuple(steps)
    )


def _scalar(path: Path, node: yaml.Node | None) -> str | None:
    if node is None:
        return None
    if not isinstance(node, yaml.ScalarNode):
        raise _fail(path, node, "expected a single value here")
    return str(node.value)


def _step(path: Path, node: yaml.Node) -> PipelineStep:
    params_node: yaml.Node | None = None
    if isinstance(node, yaml.ScalarNode):
        name_node = node
    elif isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        name_node, params_node = node.value[0]
    else:
        raise _fail(
            path,
            node,
            "a step is a name, or a name with its parameters (e.g. 'transcode: {proxy: false}')",
        )
    name = str(name_node.value)
    known = sorted(set(STEPS) | set(RECORDED_STEPS))
    if name not in STEPS and name not in RECORDED_STEPS:
        raise _fail(path, name_node, f"unknown step {name!r} (known steps: {', '.join(known)})")
    allowed = STEPS[name].params if name in STEPS else {}
    params: dict[str, Any] = {}
    if params_node is not None and not (
        isinstance(params_node, yaml.ScalarNode) and params_node.tag.endswith(":null")
    ):
        if not isinstance(params_node, yaml.MappingNode):
            raise _fail(path, params_node, f"the parameters of step {name!r} are a mapping")
        for key_node, value_node in params_node.value:
            key = str(key_node.value)
            if key not in allowed:
                choices = ", ".join(sorted(allowed)) or "none"
                raise _fail(
                    path,
                    key_node,
                    f"step {name!r} has no parameter {key!r} (its parameters: {choices})",
                )
            value = yaml.safe_load(yaml.serialize(value_node))
            params[key] = _check_type(path, value_node, name, key, value, allowed[key])
    return PipelineStep(name=name, params=params, line=name_node.start_mark.line + 1)


def _check_type(path: Path, node: yaml.Node, step: str, key: str, value: Any, default: Any) -> Any:
    if default is None or value is None:
        return value
    expected: tuple[type, ...]
    if isinstance(default, bool):
        expected = (bool,)
    elif isinstance(default, int):
        expected = (int,)
    elif isinstance(default, float):
        expected = (int, float)
    else:
        expected = (type(default),)
    if isinstance(value, bool) and bool not in expected:
        ok = False
    else:
        ok = isinstance(value, expected)
    if not ok:
        raise _fail(
            path,
            node,
            f"parameter {key!r} of step {step!r} must be "
            f"{expected[0].__name__} (like its default {default!r}), not {value!r}",
        )
    return float(value) if isinstance(default, float) else value


def list_pipelines(home: Path | None = None) -> list[Pipeline]:
    """Every pipeline available: the home's own first, then the built-in ones."""
    found: dict[str, Pipeline] = {}
    for directory in _search_dirs(home):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.y*ml")):
            pipeline = load_pipeline(path)
            found.setdefault(pipeline.name, pipeline)
    return list(found.values())


def find_pipeline(name_or_file: str, home: Path | None = None) -> Pipeline:
    """The pipeline with this name, or in this file.

    Raises:
        PipelineError: no such pipeline (the message lists those there are), or it is invalid.
    """
    candidate = Path(name_or_file).expanduser()
    if candidate.suffix in (".yaml", ".yml") or "/" in name_or_file:
        if not candidate.is_file():
            raise PipelineError(f"pipeline file {candidate} does not exist")
        return load_pipeline(candidate)
    for directory in _search_dirs(home):
        for suffix in (".yaml", ".yml"):
            path = directory / f"{name_or_file}{suffix}"
            if path.is_file():
                return load_pipeline(path)
    for pipeline in list_pipelines(home):
        if pipeline.name == name_or_file:
            return pipeline
    names = ", ".join(p.name for p in list_pipelines(home))
    raise PipelineError(
        f"no pipeline named {name_or_file!r} (there are: {names}); "
        "give a name or the path of a .yaml file"
    )


def default_pipeline(kind: str, home: Path | None = None) -> Pipeline | None:
    """The pipeline for an asset kind: the first (home before built-in) that lists the kind."""
    for pipeline in list_pipelines(home):
        if kind in pipeline.kinds:
            return pipeline
    return None


def resolve_pipeline(kind: str, chosen: str | None, home: Path | None = None) -> Pipeline | None:
    """The pipeline chosen by name or file, else the default for the kind."""
    if chosen:
        return find_pipeline(chosen, home)
    return default_pipeline(kind, home)
