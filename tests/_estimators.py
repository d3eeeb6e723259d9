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


class SleepyClassifier(ClassifierMixin, BaseEstimator):
    """A logistic regression that sleeps ``delay`` seconds in every ``predict`` call.

    A latency floor that no machine load can lower: a call takes at least ``delay``.
    """

    def __init__(self, delay: float = 0.0):
        self.delay = delay

    def fit(self, X, y):
        from sklearn.linear_model import LogisticRegression

        self.model_ = LogisticRegression(max_iter=5000).fit(X, y)
        self.classes_ = self.model_.classes_
        self.n_features_in_ = self.model_.n_features_in_
        if hasattr(self.model_, "feature_names_in_"):
            self.feature_names_in_ = self.model_.feature_names_in_
        return self

    def predict(self, X):
        import time

        time.sleep(self.delay)
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


class MemoryHungryRegressor(RegressorMixin, BaseEstimator):
    """Predicts the training mean after filling ``megabytes`` MB of memory it then frees."""

    def __init__(self, megabytes: int = 0):
        self.megabytes = megabytes

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        scratch = np.ones(max(1, self.megabytes * 1_000_000 // 8))  # written: really resident
        return np.full(len(X), self.mean_ + scratch[0] - 1.0)


class NoisyClassifier(ClassifierMixin, BaseEstimator):
    """Random probabilities on every call: not deterministic."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        p = np.random.default_rng().random(len(X))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]


class UnnormalizedClassifier(ClassifierMixin, BaseEstimator):
    """Scores in [0, 2] that do not sum to 1: invalid probabilities."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 0.9)

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class InfiniteRegressor(RegressorMixin, BaseEstimator):
    """Predicts infinity for the first row: a regression output that is not finite."""

    def fit(self, X, y):
        return self

    def predict(self, X):
        values = np.zeros(len(X))
        values[0] = np.inf
        return values


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
