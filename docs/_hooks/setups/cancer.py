"""A logistic regression on scikit-learn's breast-cancer data: model.joblib and eval.csv (the 30%
of rows kept out of training), as in the tutorial."""

import joblib
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

data = load_breast_cancer(as_frame=True).frame
train, evaluation = train_test_split(data, test_size=0.3, random_state=0, stratify=data["target"])
model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=1000))
model.fit(train.drop(columns="target"), train["target"])
joblib.dump(model, "model.joblib")
evaluation.to_csv("eval.csv", index=False)
