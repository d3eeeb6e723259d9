"""A custom metric for the example gate: the share of predictions within 25% of the truth."""

import numpy as np


def within_25_percent(y_true, y_pred, sample_weight=None):
    close = np.abs(y_pred - y_true) <= 0.25 * np.abs(y_true)
    return float(np.average(close, weights=sample_weight))
