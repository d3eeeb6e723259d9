"""A credit model whose decisions depend on debt, income and late payments, not on gender or
zip code: model.joblib (one-hot gender and zip_code in a ColumnTransformer, a 100-tree random
forest) and eval.csv (1,000 rows kept out of training)."""

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

rng = np.random.default_rng(0)
rows = 4000
frame = pd.DataFrame(
    {
        "debt_ratio": rng.uniform(0, 1, rows),
        "income": rng.lognormal(10, 0.5, rows),
        "late_payments": rng.poisson(1.0, rows),
        "age": rng.integers(18, 80, rows),
        "gender": rng.choice(["f", "m"], rows),
        "zip_code": rng.choice([f"z{i}" for i in range(20)], rows),
    }
)
score = 3 * frame["debt_ratio"] - frame["income"] / 25000 + 0.6 * frame["late_payments"]
frame["default"] = (score + rng.normal(0, 0.8, rows) > 1.2).astype(int)
encode = ColumnTransformer(
    [("categories", OneHotEncoder(handle_unknown="ignore"), ["gender", "zip_code"])],
    remainder="passthrough",
)
model = make_pipeline(encode, RandomForestClassifier(n_estimators=100, random_state=0))
train, evaluation = frame.iloc[:3000], frame.iloc[3000:]
model.fit(train.drop(columns="default"), train["default"])
joblib.dump(model, "model.joblib")
evaluation.to_csv("eval.csv", index=False)
