"""Small real estimators with a defect, to exercise mlgate's input validation.

They live in an importable module so joblib can load them back in the test process.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin


class ConstantClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the first class with uniform probabilities; ``defect`` breaks one output."""

    def __init__(self, defect: str = "none"):
        self.defect = defect

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        labels = np.full(len(X), self.classes_[0], dtype=object)
        if self.defect == "short":
            return labels[:-1]
        if self.defect == "nan_pred":
            labels = labels.astype(float) if self.classes_.dtype.kind in "iuf" else labels
            labels[0] = np.nan
        return labels

    def predict_proba(self, X):
        proba = np.full((len(X), len(self.classes_)), 1.0 / len(self.classes_))
        if self.defect == "nan_proba":
            proba[:3] = np.nan
        return proba


class CountingRegressor(RegressorMixin, BaseEstimator):
    """Predicts the training mean and counts predict calls (to prove one pass per model)."""

    calls = 0

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        type(self).calls += 1
        return np.full(len(X), self.mean_)


class LookupClassifier(ClassifierMixin, BaseEstimator):
    """Remembers the probability of each training row and refuses rows it never saw.

    It predicts its own training rows fine, so the gate's predict pass succeeds, but any
    explainer that feeds it mixed rows (a masker) makes it raise: a real SHAP failure.
    """

    def fit(self, X, y):
        values = np.asarray(X, dtype=float)
        self.classes_ = np.unique(y)
        self.n_features_in_ = values.shape[1]
        self.table_ = {
            row.tobytes(): float(label == self.classes_[-1])
            for row, label in zip(values, np.asarray(y), strict=True)
        }
        return self

    def predict_proba(self, X):
        values = np.asarray(X, dtype=float)
        unseen = [row for row in values if row.tobytes() not in self.table_]
        if unseen:
            raise ValueError(f"{len(unseen)} row(s) never seen in fit")
        positive = np.array([self.table_[row.tobytes()] for row in values])
        return np.column_stack([1 - positive, positive])

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]
