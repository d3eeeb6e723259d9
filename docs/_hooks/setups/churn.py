"""A binary model with a weak slice, from the generator the init tests and the slice benchmark
use (tests/init/_generated.py): the label depends on x1, x2 and income, and is noisier where
region is 'north' and age above 60. Writes model.joblib (all four inputs), champion.joblib (x1
and income only), eval.csv and train.csv (3,000 rows each)."""

import sys
from pathlib import Path

import joblib

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository, for tests/init
from tests.init._generated import FEATURES, fit, frame

train, evaluation = frame(1, 3000, "binary"), frame(2, 3000, "binary")
joblib.dump(fit(train, "binary", FEATURES), "model.joblib")
joblib.dump(fit(train, "binary", ["x1", "income"]), "champion.joblib")
train.to_csv("train.csv", index=False)
evaluation.to_csv("eval.csv", index=False)
