"""Performance benchmarks of Parcours: the real product, started as a subprocess, under load.

Run one with `python -m bench.<name>` or all of them with `python -m bench` (see README.md).
"""
