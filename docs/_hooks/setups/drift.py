"""Breast-cancer data split into reference.csv (the training snapshot, 60%) and eval.csv (40%),
model.joblib fitted on the reference, shifted.csv (the eval rows with 'mean_texture' moved up by
one reference standard deviation and four 'mean_area' values replaced by the sentinel -1), and
the reference as a Delta table with two versions (reference_table)."""

import joblib
from deltalake import write_deltalake
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

data = load_breast_cancer(as_frame=True).frame
data.columns = [name.replace(" ", "_") for name in data.columns]
reference, evaluation = train_test_split(
    data, test_size=0.4, random_state=0, stratify=data["target"]
)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
model.fit(reference.drop(columns="target"), reference["target"])
joblib.dump(model, "model.joblib")
reference.to_csv("reference.csv", index=False)
evaluation.to_csv("eval.csv", index=False)
shifted = evaluation.copy()
shifted["mean_texture"] += reference["mean_texture"].std()
shifted.iloc[:4, shifted.columns.get_loc("mean_area")] = -1.0
shifted.to_csv("shifted.csv", index=False)
write_deltalake("reference_table", reference.reset_index(drop=True))
write_deltalake("reference_table", reference.head(10).reset_index(drop=True), mode="append")
