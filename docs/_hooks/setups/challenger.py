"""A champion and a challenger on scikit-learn's breast-cancer data: champion.joblib (a logistic
regression on two features), challenger.joblib (HistGradientBoosting on all 30) and eval.csv
(half the rows, kept out of training)."""

import joblib
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

data = load_breast_cancer(as_frame=True).frame
train, evaluation = train_test_split(data, test_size=0.5, random_state=0, stratify=data["target"])
X, y = train.drop(columns="target"), train["target"]
champion = LogisticRegression(max_iter=1000).fit(X[["mean radius", "mean texture"]], y)
challenger = HistGradientBoostingClassifier(random_state=0).fit(X, y)
joblib.dump(champion, "champion.joblib")
joblib.dump(challenger, "challenger.joblib")
evaluation.to_csv("eval.csv", index=False)
