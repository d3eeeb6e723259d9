"""The gate file: find it, parse it, validate it strictly, and turn it into a typed ``GateSpec``.

Structure is checked against the shipped JSON Schema (``schemas/gate.schema.json``); meaning
(known metric names, at least one bound per threshold) is checked here. Nothing heavy is imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from mlgate import _schema_validation
from mlgate.errors import GateFileError
from mlgate.families import parse_family_configs, plugin_schemas
from mlgate.thresholds import sensitive_features

GATE_FILE_NAMES = ("mlgate.yaml", "mlgate.yml")
PYTHON_SOURCE = "<python>"
DEFAULT_REPORT_JSON = "mlgate-report.json"
REPORT_FORMATS = ("json", "html", "md", "junit")  # report.formats default, in writing order
DEFAULT_TRACKING_DIR = ".mlgate"
DEFAULT_EXPERIMENT = "mlgate"
RESERVED_TAG_PREFIX = "mlgate."
REGISTERED_VERSION = re.compile(r"^models:/(?P<name>[^/@]+)(@(?P<alias>[\w-]+)|/(?P<version>\d+))$")
_ALIAS = re.compile(r"^[\w-]+$")
_RESERVED_ALIAS = re.compile(r"^(latest|[vV]\d+)$", re.IGNORECASE)
_TAG_KEY = re.compile(r"^[/\w.\- :]{1,250}$")  # what MLflow accepts as a tag key

MSG_NOT_FOUND = (
    "no gate file found in {folder}: create mlgate.yaml (or [tool.mlgate] in pyproject.toml), "
    "or pass its path with -c"
)
MSG_MISSING_FILE = "gate file {path} does not exist; check the path passed with -c"
MSG_UNREADABLE = "gate file {path} could not be parsed: {error}"
MSG_NOT_MAPPING = "gate file {path} must hold a mapping of keys (model, data, target, checks...)"
MSG_ALIAS_TWICE = (
    "{key}: '{alias}' is a short name of '{name}', which is also given; keep one of them"
)
MSG_NO_MODEL = (
    "missing 'model' in the gate file: name the model under test (models:/name@alias, a model "
    "folder or file), or set 'prediction' to a column of precomputed predictions"
)
MSG_SECTION_NOT_MAPPING = "[tool.mlgate] in {path} must be a table"
MSG_PROMOTE_NEEDS_REGISTRY = (
    "'promote' needs 'model' to be a registered version (models:/name@alias or models:/name/N), "
    "got {model!r}"
)
MSG_BAD_ALIAS = (
    "'promote.on_pass.alias' must be letters, digits, '_' or '-' and not 'latest' or v<number> "
    "(MLflow alias rules), got {alias!r}"
)
MSG_BAD_TAG_KEY = (
    "'promote.tags.{key}': tag keys may hold letters, digits, '_', '-', '.', ' ', ':' and '/' "
    "(at most 250)"
)
MSG_RESERVED_TAG = (
    "'promote.tags.{key}': keys starting with 'mlgate.' are reserved for the gate's own tags; "
    "rename it"
)
MSG_EMPTY_EXPERIMENT = "'mlflow.experiment' must not be empty"
MSG_BAD_ENV_NAME = (
    "'notify.{target}.url_env' must name an environment variable (letters, digits and '_', not "
    "starting with a digit), got {name!r}"
)
ARCHIVED_TAG = "mlgate.archived"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MSG_CONFIG_TYPE = "the config of check family '{family}' is a {got}, not a {kind}"
DEFAULT_CONFIDENCE = 0.95
ConfigT = TypeVar("ConfigT")


@dataclass(frozen=True)
class StatisticsSpec:
    """Bootstrap settings (top-level ``statistics``); the gate's ``seed`` seeds the resamples."""

    resamples: int = 1000
    confidence: float = DEFAULT_CONFIDENCE


@dataclass(frozen=True)
class SparkSpec:
    """The Spark engine's settings (top-level ``spark``); ``remote`` comes from the command line
    or ``SPARK_REMOTE``, never the gate file: a cluster address belongs to where the gate runs."""

    conf: Mapping[str, str] = field(default_factory=dict)
    sample: int = 10_000
    remote: str | None = None


@dataclass(frozen=True)
class CustomMetricSpec:
    """A custom metric declared under ``metrics`` in the gate file."""

    name: str
    function: str
    greater_is_better: bool = True
    needs_proba: bool = False


@dataclass(frozen=True)
class GateSpec:
    """A validated gate file. Paths are resolved against ``base_dir`` (the gate file's folder)."""

    source: str
    base_dir: Path
    digest: str
    target: str
    model: str | None = None
    baseline: str | None = None
    eval_data: str | Mapping[str, Any] | None = None  # a path, or {delta: path, version: N}
    reference_data: str | Mapping[str, Any] | None = None
    prediction: str | None = None
    baseline_prediction: str | None = None
    sample_weight: str | None = None
    features: tuple[str, ...] | None = None
    sensitive_features: tuple[str, ...] = ()
    skops_trusted_types: tuple[str, ...] = ()
    classes: tuple[Any, ...] | None = None  # a Booster's class labels, in output order
    task: str = "auto"
    engine: str = "pandas"
    spark: SparkSpec = field(default_factory=SparkSpec)
    pos_label: Any = None
    seed: int = 0
    statistics: StatisticsSpec | None = None
    custom_metrics: dict[str, CustomMetricSpec] = field(default_factory=dict)
    report_dir: str = "."
    report_json: str = DEFAULT_REPORT_JSON
    report_formats: tuple[str, ...] = REPORT_FORMATS
    tracking_uri: str | None = None
    registry_uri: str | None = None
    experiment: str = DEFAULT_EXPERIMENT
    promote_alias: str | None = None
    promote_tags: dict[str, str] = field(default_factory=dict)
    archive_alias: str | None = None
    archive_tags: dict[str, str] | None = None  # None: no promote.on_fail, nothing archived
    family_configs: dict[str, Any] = field(default_factory=dict)
    document: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def config(self, family: str, kind: type[ConfigT]) -> ConfigT:
        """The typed config ``family``'s parser returned, or ``kind()`` when the gate has none.

        The one way to read a family's config: a family that parsed something else than it
        reads is a bug caught here, not a wrong attribute deep inside a check.
        """
        config = self.family_configs.get(family)
        if config is None:
            return kind()
        if not isinstance(config, kind):
            raise TypeError(
                MSG_CONFIG_TYPE.format(family=family, kind=kind.__name__, got=type(config).__name__)
            )
        return config

    def resolve_path(self, value: str) -> Path:
        """A path from the gate file, read relative to the gate file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path


def find_gate_file(folder: Path | None = None) -> Path:
    """The gate file in ``folder``: mlgate.yaml, mlgate.yml, else pyproject.toml [tool.mlgate]."""
    folder = folder or Path.cwd()
    for name in GATE_FILE_NAMES:
        if (folder / name).is_file():
            return folder / name
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and "mlgate" in _read_pyproject(pyproject).get("tool", {}):
        return pyproject
    raise GateFileError(MSG_NOT_FOUND.format(folder=folder))


def load_spec(path: str | os.PathLike[str] | None = None) -> GateSpec:
    """Read and validate the gate file at ``path`` (found in the working directory when None)."""
    gate_path = find_gate_file() if path is None else Path(path)
    if not gate_path.is_file():
        raise GateFileError(MSG_MISSING_FILE.format(path=gate_path))
    if gate_path.name == "pyproject.toml":
        tool = _read_pyproject(gate_path).get("tool", {})
        if "mlgate" not in tool:
            raise GateFileError(MSG_NOT_FOUND.format(folder=gate_path.parent))
        document = tool["mlgate"]
        if not isinstance(document, dict):
            raise GateFileError(MSG_SECTION_NOT_MAPPING.format(path=gate_path))
    else:
        document = _read_yaml(gate_path)
    return spec_from_dict(document, source=str(gate_path), base_dir=gate_path.resolve().parent)


def spec_from_dict(
    document: Mapping[str, Any], *, source: str = PYTHON_SOURCE, base_dir: Path | None = None
) -> GateSpec:
    """Validate a gate given as a mapping (as parsed from YAML/TOML, or written in Python)."""
    if not isinstance(document, Mapping):
        raise GateFileError(MSG_NOT_MAPPING.format(path=source))
    document = dict(document)
    _schema_validation.validate(document, source, plugin_schemas())
    written = document
    document = _canonical_metric_names(document, source)
    data = document.get("data", {})
    custom = {
        name: CustomMetricSpec(name=name, **options)
        for name, options in document.get("metrics", {}).items()
    }
    family_configs = parse_family_configs(document, source)
    statistics = _statistics(document)
    report = document.get("report", {})
    mlflow_section = document.get("mlflow", {})
    promote = _promote(document, source)
    _check_notify(document, source)
    features = document.get("features")
    spec = GateSpec(
        source=source,
        base_dir=(base_dir or Path.cwd()).resolve(),
        digest=gate_digest(written),
        target=document["target"],
        model=document.get("model"),
        baseline=document.get("baseline"),
        eval_data=data.get("eval"),
        reference_data=data.get("reference"),
        prediction=document.get("prediction"),
        baseline_prediction=document.get("baseline_prediction"),
        sample_weight=document.get("sample_weight"),
        features=tuple(features) if features is not None else None,
        sensitive_features=sensitive_features(document),
        skops_trusted_types=tuple(document.get("skops_trusted_types", ())),
        classes=tuple(document["classes"]) if "classes" in document else None,
        task=document.get("task", "auto"),
        engine=document.get("engine", "pandas"),
        spark=_spark(document),
        pos_label=document.get("pos_label"),
        seed=document.get("seed", 0),
        statistics=statistics,
        custom_metrics=custom,
        report_dir=report.get("dir", "."),
        report_json=report.get("json", DEFAULT_REPORT_JSON),
        report_formats=tuple(dict.fromkeys(report.get("formats", REPORT_FORMATS))),
        tracking_uri=mlflow_section.get("tracking_uri"),
        registry_uri=mlflow_section.get("registry_uri"),
        experiment=_experiment(mlflow_section, source),
        promote_alias=promote.get("on_pass", {}).get("alias"),
        promote_tags=promote.get("tags", {}),
        archive_alias=promote.get("on_fail", {}).get("remove_alias"),
        archive_tags=promote.get("archive_tags"),
        family_configs=family_configs,
        document=document,
    )
    return spec


def pin_model(spec: GateSpec, model: str) -> GateSpec:
    """``spec`` evaluating ``model`` instead of its own (``mlgate run --model``).

    The digest stays the gate file's: the same checks on a pinned version are the same gate.
    """
    registry_actions = spec.promote_alias is not None or spec.archive_tags is not None
    if registry_actions and not REGISTERED_VERSION.match(model):
        raise GateFileError(MSG_PROMOTE_NEEDS_REGISTRY.format(model=model))
    return replace(spec, model=model)


def with_engine(spec: GateSpec, engine: str | None, spark_remote: str | None) -> GateSpec:
    """``spec`` computed by ``engine`` (``mlgate run --engine``), on ``spark_remote`` if given.

    A Spark Connect address implies the Spark engine. The digest stays the gate file's: the same
    checks computed elsewhere are the same gate.
    """
    chosen = engine or ("spark" if spark_remote else spec.engine)
    settings = replace(spec.spark, remote=spark_remote or spec.spark.remote)
    return replace(spec, engine=chosen, spark=settings)


def gate_digest(document: Mapping[str, Any]) -> str:
    """A stable digest of the gate's content: same keys and values give the same digest."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _experiment(section: Mapping[str, Any], source: str) -> str:
    name = section.get("experiment", DEFAULT_EXPERIMENT)
    if not name.strip():
        raise GateFileError(f"{source}: {MSG_EMPTY_EXPERIMENT}")
    return name


def _promote(document: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The ``promote`` section, checked against the registry's rules; tag values as text."""
    promote = document.get("promote")
    if promote is None:
        return {}
    model = document.get("model")
    if model is None or not REGISTERED_VERSION.match(model):
        raise GateFileError(f"{source}: " + MSG_PROMOTE_NEEDS_REGISTRY.format(model=model))
    for key, alias in (
        ("promote.on_pass.alias", promote.get("on_pass", {}).get("alias")),
        ("promote.on_fail.remove_alias", promote.get("on_fail", {}).get("remove_alias")),
    ):
        if alias is not None and (not _ALIAS.match(alias) or _RESERVED_ALIAS.match(alias)):
            message = MSG_BAD_ALIAS.format(alias=alias).replace("promote.on_pass.alias", key)
            raise GateFileError(f"{source}: {message}")
    tags = _tags(promote.get("tags", {}), "promote.tags", source)
    archive_tags = None
    if "on_fail" in promote:
        extra = _tags(promote["on_fail"].get("tags", {}), "promote.on_fail.tags", source)
        archive_tags = {**extra, ARCHIVED_TAG: "true"}
    return {**promote, "tags": tags, "archive_tags": archive_tags}


def _tags(given: Mapping[str, Any], section: str, source: str) -> dict[str, str]:
    """User tags checked against MLflow's key rules and the reserved prefix; values as text."""
    tags = {}
    for key, value in given.items():
        if key.startswith(RESERVED_TAG_PREFIX):
            message = MSG_RESERVED_TAG.format(key=key).replace("promote.tags", section)
            raise GateFileError(f"{source}: {message}")
        if not _TAG_KEY.match(key):
            message = MSG_BAD_TAG_KEY.format(key=key).replace("promote.tags", section)
            raise GateFileError(f"{source}: {message}")
        tags[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return tags


def _check_notify(document: Mapping[str, Any], source: str) -> None:
    """Environment variable names in ``notify`` (the URLs themselves are read by mlgate serve)."""
    for target, options in document.get("notify", {}).items():
        if target == "on":
            continue
        name = options["url_env"]
        if not _ENV_NAME.match(name):
            raise GateFileError(f"{source}: " + MSG_BAD_ENV_NAME.format(target=target, name=name))


def _spark(document: Mapping[str, Any]) -> SparkSpec:
    """The ``spark`` section; Spark settings as text, as Spark takes them (booleans lower-case)."""
    section = document.get("spark", {})
    conf = {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in section.get("conf", {}).items()
    }
    return SparkSpec(conf=conf, sample=section.get("sample", SparkSpec.sample))


def _statistics(document: Mapping[str, Any]) -> StatisticsSpec | None:
    section = document.get("statistics")
    if section is None:
        return None
    return StatisticsSpec(
        resamples=section.get("bootstrap", StatisticsSpec.resamples),
        confidence=section.get("confidence", DEFAULT_CONFIDENCE),
    )


def _canonical_metric_names(document: dict[str, Any], source: str) -> dict[str, Any]:
    """The document with short metric names (``rmse``, ``auc``...) read as canonical names.

    Everywhere a metric is a key: ``checks.performance``, ``checks.comparison``, each slice's
    ``metrics`` and ``checks.fairness.group``. A custom metric of the same name wins (it is the
    user's own). An alias beside its canonical name is refused: which bound would hold?
    """
    from mlgate.metrics import METRIC_ALIASES

    custom = document.get("metrics", {})

    def rename(section: Any, key: str) -> Any:
        if not isinstance(section, Mapping):
            return section
        renamed: dict[str, Any] = {}
        for name, options in section.items():
            canonical = str(name if name in custom else METRIC_ALIASES.get(name, name))
            if canonical != name and canonical in section:
                raise GateFileError(
                    f"{source}: " + MSG_ALIAS_TWICE.format(key=key, alias=name, name=canonical)
                )
            renamed[canonical] = options
        return renamed

    checks = dict(document.get("checks") or {})
    for family in ("performance", "comparison"):
        if family in checks:
            checks[family] = rename(checks[family], f"checks.{family}")
    if isinstance(checks.get("slices"), list):
        checks["slices"] = [
            {**item, "metrics": rename(item["metrics"], f"checks.slices[{index}].metrics")}
            if isinstance(item, Mapping) and "metrics" in item
            else item
            for index, item in enumerate(checks["slices"])
        ]
    fairness = checks.get("fairness")
    if isinstance(fairness, Mapping) and "group" in fairness:
        checks["fairness"] = {
            **fairness,
            "group": rename(fairness["group"], "checks.fairness.group"),
        }
    return {**document, "checks": checks} if "checks" in document else document


def _read_yaml(path: Path) -> Any:
    import yaml

    from mlgate._yaml import YamlBoundError, load_bounded

    try:
        document = load_bounded(path)
    except YamlBoundError as error:
        raise GateFileError(str(error)) from error
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        # ValueError: an integer literal longer than Python converts (sys.int_info digits).
        reason = " ".join(str(error).split())
        raise GateFileError(MSG_UNREADABLE.format(path=path, error=reason)) from error
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise GateFileError(MSG_NOT_MAPPING.format(path=path))
    return _on_key_as_text(document)


def _on_key_as_text(value: Any) -> Any:
    """Undo YAML 1.1 reading the key ``on`` as ``True`` (``{min: 0.85, on: lower}``).

    No gate-file key is a boolean, so a ``True`` key can only be ``on`` (or ``yes``, which the
    schema then rejects as the unknown key 'on', close enough to point at the line).
    """
    if isinstance(value, dict):
        return {
            ("on" if key is True else key): _on_key_as_text(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_on_key_as_text(item) for item in value]
    return value


def _read_pyproject(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, UnicodeDecodeError, RecursionError, tomllib.TOMLDecodeError) as error:
        # RecursionError: arrays nested thousands deep; tomllib reads them recursively.
        raise GateFileError(MSG_UNREADABLE.format(path=path, error=error)) from error
