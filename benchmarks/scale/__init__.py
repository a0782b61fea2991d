"""The scale benchmark's Django project, data set and command launcher (``bench_scale.py``)."""
