"""Fit the example's model and write the files its gate reads.

Writes, next to this script: model.skops (the challenger), eval.parquet (held-out rows, with the
champion's predictions in the column 'champion_prediction').
"""

from pathlib import Path

import skops.io
from sklearn.datasets import load_diabetes
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split

HERE = Path(__file__).parent


def main() -> None:
    frame = load_diabetes(as_frame=True, scaled=False).frame
    train, evaluation = train_test_split(frame, test_size=0.3, random_state=0)
    X, y = train.drop(columns="target"), train["target"]
    champion = LinearRegression().fit(X[["bmi", "bp"]], y)
    challenger = RandomForestRegressor(n_estimators=50, min_samples_leaf=5, random_state=0).fit(
        X, y
    )
    evaluation = evaluation.assign(champion_prediction=champion.predict(evaluation[["bmi", "bp"]]))
    evaluation.to_parquet(HERE / "eval.parquet", index=False)
    skops.io.dump(challenger, HERE / "model.skops")
    print(f"wrote {HERE / 'model.skops'} and {HERE / 'eval.parquet'}")


if __name__ == "__main__":
    main()
