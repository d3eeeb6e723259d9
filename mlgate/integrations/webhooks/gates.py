"""Which gate file applies to which registered model: ``--gate NAME=PATH`` or ``--gates DIR``.

In a folder, the gate of model ``churn`` is ``churn.yaml`` (or ``churn.yml``). Gate files are read
again for each delivery, so an edited gate file applies to the next version at once, and its new
digest lets a version already gated under the old one be gated again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlgate.errors import GateFileError

SUFFIXES = (".yaml", ".yml")
MSG_BAD_GATE_OPTION = "--gate must be NAME=PATH (registered model = gate file), got {value!r}"
MSG_NO_GATE_FILE = "--gate {name}={path}: no such file"
MSG_NO_GATES_DIR = "--gates {path}: no such folder"
MSG_NO_GATES = "give at least one --gate NAME=PATH or --gates DIR"


@dataclass(frozen=True)
class GateRoutes:
    """Gate files by registered model name, plus an optional folder of ``<name>.yaml``."""

    files: dict[str, Path] = field(default_factory=dict)
    folder: Path | None = None

    @classmethod
    def from_options(cls, gate_options: list[str], folder: str | None) -> GateRoutes:
        """Parse ``--gate`` and ``--gates``; GateFileError (exit 2) names the bad option."""
        files = {}
        for value in gate_options:
            name, sep, path = value.partition("=")
            if not sep or not name or not path:
                raise GateFileError(MSG_BAD_GATE_OPTION.format(value=value))
            if not Path(path).is_file():
                raise GateFileError(MSG_NO_GATE_FILE.format(name=name, path=path))
            files[name] = Path(path).resolve()
        gates_dir = None
        if folder is not None:
            if not Path(folder).is_dir():
                raise GateFileError(MSG_NO_GATES_DIR.format(path=folder))
            gates_dir = Path(folder).resolve()
        if not files and gates_dir is None:
            raise GateFileError(MSG_NO_GATES)
        return cls(files, gates_dir)

    def gate_for(self, model: str) -> Path | None:
        """The gate file of ``model``, or None when the model is not gated here."""
        if model in self.files:
            return self.files[model]
        if self.folder is None or Path(model).name != model:  # no path tricks in a model name
            return None
        for suffix in SUFFIXES:
            candidate = self.folder / f"{model}{suffix}"
            if candidate.is_file():
                return candidate
        return None

    def all_files(self) -> list[Path]:
        """Every gate file known now, to validate at start."""
        found = list(self.files.values())
        if self.folder is not None:
            found += sorted(p for p in self.folder.iterdir() if p.suffix in SUFFIXES)
        return found
