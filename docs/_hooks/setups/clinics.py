"""The demo's data and models as files: data/eval.csv (breast-cancer rows with the target
'malignant' and a generated 'site' column the models never see), data/reference.csv, and the
demo's champion and challenger as champion.joblib and challenger.joblib."""

from pathlib import Path

import joblib

from mlgate.demo import _train  # the demo's own data and models, so the pages match it

champion, challenger, _, _ = _train(Path("."))
joblib.dump(champion, "champion.joblib")
joblib.dump(challenger, "challenger.joblib")
