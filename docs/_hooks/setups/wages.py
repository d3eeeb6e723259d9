"""A wage regression that is much less accurate for one gender: eval.csv (800 rows: hours,
experience, gender, wage) and model.joblib, a linear model of hours and experience fitted where
the wage follows them closely for 'f' and loosely for 'm'."""

import joblib
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

rng = np.random.default_rng(0)
rows = 1600
frame = pd.DataFrame(
    {
        "hours": rng.uniform(10, 50, rows).round(),
        "experience": rng.uniform(0, 30, rows).round(),
        "gender": rng.choice(["f", "m"], rows),
    }
)
noise = rng.normal(0, np.where(frame["gender"] == "m", 3000, 1000))
frame["wage"] = (400 * frame["hours"] + 300 * frame["experience"] + noise).round(2)
train, evaluation = frame.iloc[:800], frame.iloc[800:]
model = LinearRegression().fit(train[["hours", "experience"]], train["wage"])
joblib.dump(model, "model.joblib")
evaluation.to_csv("eval.csv", index=False)
