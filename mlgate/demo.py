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

import mlflow
import numpy as np
import sklearn
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlgate.cli import main
from mlgate.schema_infer import infer_schema_text

MODEL_NAME = "mlgate-demo-cancer"
EXPERIMENT = "mlgate-demo"
STORE_FILE = "mlflow.db"
ARTIFACTS_DIR = "mlartifacts"
SITE_SEED = 21  # the generated 'site' column: a seed where the champion fails four-fifths
DEMO_TAGS = {"owner": "mlgate-demo", "training_data": "sklearn breast cancer, 60% split seed 0"}

GATE_FILE = """\
# The demo gate: the challenger must be accurate, fair, and no worse than the champion.
# Rerun it with:  mlgate run -c {gate_path}
model: models:/{name}@challenger
baseline: models:/{name}@champion
data:
  eval: data/eval.csv
  reference: data/reference.csv     # the training split: drift is measured against it
target: malignant
sensitive_features: [site]           # not a model input: read from the data, never fed to it
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
  slices:
    - where: "mean_radius > 15"
      name: large_tumours
      metrics: {{recall_score: {{min: 0.9}}}}
  fairness:                          # the champion's demographic parity ratio is 0.76
    demographic_parity_ratio: {{min: 0.8}}
    equalized_odds_difference: {{max: 0.1}}
    comparison:
      equalized_odds_difference: {{max_delta: 0.0}}   # no less fair than the champion
  data:
    schema: data/schema.yaml           # written by: mlgate schema infer data/reference.csv
    missing: {{max_share: 0.0}}
    duplicates: {{max_share: 0.0}}
  drift: {{}}                           # every feature, the prediction and the label
  latency:                              # timed against the champion, interleaved in one run
    comparison: {{single_row_p95_ms: {{max_relative_delta: 2.0}}}}  # generous: noisy CI
    budget_seconds: 2
  documentation:                        # what a version must carry to be promoted
    signature: true
    tags: [owner, training_data]
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
    frame = load_breast_cancer(as_frame=True).frame
    # sklearn codes malignant as 0; the gate's positive class should be the disease.
    frame["malignant"] = 1 - frame.pop("target")
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    train, evaluation = train_test_split(
        frame, test_size=0.4, random_state=0, stratify=frame["malignant"]
    )
    # A generated sensitive attribute, in the evaluation data only (the models never see it).
    sites = np.random.default_rng(SITE_SEED).choice(["clinic_a", "clinic_b"], len(evaluation))
    evaluation = evaluation.assign(site=sites)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    evaluation.to_csv(folder / "data" / "eval.csv", index=False)
    train.to_csv(folder / "data" / "reference.csv", index=False)
    _write_schema(folder / "data")
    features = train.drop(columns="malignant")
    few = ["mean_radius", "mean_texture", "mean_smoothness"]
    champion = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        features[few], train["malignant"]
    )
    challenger = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(
        features, train["malignant"]
    )
    return champion, challenger, features, few


def _write_schema(data_dir: Path) -> None:
    """What ``mlgate schema infer data/reference.csv > data/schema.yaml`` writes."""
    text = infer_schema_text(data_dir / "reference.csv")
    (data_dir / "schema.yaml").write_text(text, encoding="utf-8")


def _requirements() -> list[str]:
    """The demo models' requirements, stated: MLflow would otherwise infer them by loading each
    model in a child process, which costs seconds per model and finds the same scikit-learn."""
    return [f"scikit-learn=={sklearn.__version__}"]


def register_demo_models(folder: Path) -> str:
    """Train and register champion (v1, alias champion) and challenger (v2, alias challenger)."""
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
                pip_requirements=_requirements(),
            )  # fmt: skip
        version = str(info.registered_model_version)
        client.set_registered_model_alias(MODEL_NAME, alias, version)
        for key, value in DEMO_TAGS.items():  # required by the gate's documentation checks
            client.set_model_version_tag(MODEL_NAME, version, key, value)
    return tracking_uri


def run_demo(directory: str) -> int:
    """Set up the demo folder, run its gate, show the registry; return the gate's exit code."""
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
    print(f"HTML report: {folder / 'reports' / 'mlgate-report.html'}  (open it in a browser)")
    return code
