"""The side-by-side performance suite: keysmith beside its peers, run by ``nox -s bench``."""
