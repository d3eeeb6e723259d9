"""Loaders for models (MLflow URIs, model folders, skops/joblib/pickle files) and data tables."""
