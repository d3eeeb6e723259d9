"""``mlgate demo``: the whole loop on a laptop, no server and no network.

It trains a champion and a challenger on the breast-cancer data scikit-learn ships, registers both
in an embedded MLflow store (sqlite) inside the demo folder, writes a gate file, and runs it with
``mlgate run`` exactly as a pipeline would: the challenger is evaluated against the champion, its
version is tagged with the result, and when it passes the ``champion`` alias moves to it. Then it
prints the registry's view of the new champion (``mlgate status``). The folder is the newcomer's
starting point: its ``mlgate.yaml`` runs again with ``mlgate run``.
"""

from __future__ import annotations

import logging
import shutil
import warnings
from pathlib import Path

MODEL_NAME = "mlgate-demo-cancer"
EXPERIMENT = "mlgate-demo"
STORE_FILE = "mlflow.db"
ARTIFACTS_DIR = "mlartifacts"

GATE_FILE = """\
# The demo gate: the challenger must be accurate and no worse than the champion.
# Rerun it with:  mlgate run -c {gate_path}
model: models:/{name}@challenger
baseline: models:/{name}@champion
data:
  eval: data/eval.csv
target: malignant
mlflow:
  tracking_uri: sqlite:///{store}
  experiment: {experiment}
promote:
  on_pass: {{alias: champion}}         # moved to the challenger's version when it passes
  tags: {{team: demo}}
checks:
  performance:
    roc_auc: {{min: 0.95}}
    log_loss: {{max: 0.3}}
    recall_score: {{min: 0.9}}
  comparison:
    roc_auc: {{min_delta: -0.005}}
    f1_score: {{min_relative_delta: -0.01}}
  explainability:                      # SHAP importance of the challenger's inputs
    sample: 200
    forbidden_in_top_k: {{k: 5, features: [mean_symmetry, texture_error]}}
    max_feature_share: 0.25            # no single input drives the decision
report:
  dir: reports
"""


def _quiet() -> None:
    """MLflow and scikit-learn chatter would bury the one thing the demo shows."""
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")


def _train(folder: Path):
    """Write the eval split and return (champion, challenger, train features)."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = load_breast_cancer(as_frame=True).frame
    # sklearn codes malignant as 0; the gate's positive class should be the disease.
    frame["malignant"] = 1 - frame.pop("target")
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    train, evaluation = train_test_split(
        frame, test_size=0.4, random_state=0, stratify=frame["malignant"]
    )
    (folder / "data").mkdir(parents=True, exist_ok=True)
    evaluation.to_csv(folder / "data" / "eval.csv", index=False)
    features = train.drop(columns="malignant")
    few = ["mean_radius", "mean_texture", "mean_smoothness"]
    champion = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        features[few], train["malignant"]
    )
    challenger = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(
        features, train["malignant"]
    )
    return champion, challenger, features, few


def register_demo_models(folder: Path) -> str:
    """Train and register champion (v1, alias champion) and challenger (v2, alias challenger)."""
    import mlflow
    from mlflow.models import infer_signature
    from mlflow.tracking import MlflowClient

    for owned in (folder / STORE_FILE, folder / ARTIFACTS_DIR):
        if owned.is_dir():
            shutil.rmtree(owned)
        elif owned.exists():
            owned.unlink()
    champion, challenger, features, few = _train(folder)
    tracking_uri = "sqlite:///" + str((folder / STORE_FILE).resolve())
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    experiment_id = client.create_experiment(
        EXPERIMENT, artifact_location=(folder / ARTIFACTS_DIR).resolve().as_uri()
    )
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    for alias, model, columns in (("champion", champion, few), ("challenger", challenger, None)):
        inputs = features if columns is None else features[columns]
        with mlflow.start_run(experiment_id=experiment_id, run_name=f"train-{alias}"):
            info = mlflow.sklearn.log_model(
                model, name="model", registered_model_name=MODEL_NAME,
                signature=infer_signature(inputs, model.predict(inputs)),
            )  # fmt: skip
        client.set_registered_model_alias(MODEL_NAME, alias, str(info.registered_model_version))
    return tracking_uri


def run_demo(directory: str) -> int:
    """Set up the demo folder, run its gate, show the registry; return the gate's exit code."""
    from mlgate.cli import main

    _quiet()
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"mlgate demo: training and registering two models in {folder / STORE_FILE} ...")
    tracking_uri = register_demo_models(folder)
    gate_path = folder / "mlgate.yaml"
    gate_path.write_text(
        GATE_FILE.format(
            name=MODEL_NAME, store=STORE_FILE, experiment=EXPERIMENT, gate_path=gate_path
        ),
        encoding="utf-8",
    )
    print(f"$ mlgate run -c {gate_path}")
    code = main(["run", "-c", str(gate_path)])
    champion = f"models:/{MODEL_NAME}@champion"
    print(f"\n$ mlgate status {champion} --tracking-uri {tracking_uri}")
    main(["status", champion, "--tracking-uri", tracking_uri])
    print(f"\ngate file: {gate_path}  (rerun: mlgate run -c {gate_path})")
    return code
