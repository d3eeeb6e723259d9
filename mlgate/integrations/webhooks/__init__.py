"""``mlgate serve``: gate every new registry version when MLflow says it exists.

MLflow 3 registry webhooks POST a signed JSON delivery for registry events. The receiver verifies
it (``signature``), reads which model version it names (``deliveries``), answers 202 at once and
puts the version on a queue kept on disk (``queue``). Workers take one version at a time per
registered model and run exactly ``mlgate run --model models:/name/N`` (``runner``), or ask a CI
system to run it (``dispatch``), then post the decision to chat (``notify``). The HTTP side is in
``server``. Nothing here decides pass or fail: that is the gate's job.
"""
