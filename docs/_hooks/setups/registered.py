"""The demo's registry without its gate: mlflow.db with mlgate-demo-cancer version 1 (alias
champion) and version 2 (alias challenger), and the data in data/."""

from pathlib import Path

from mlgate.demo import register_demo_models

register_demo_models(Path("."))
