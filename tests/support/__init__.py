"""What the tests and the benchmarks run against: the TikTok sandbox on loopback, a live hub, the fake
store extension, `hub worker` processes, and `wait_until`.

Nothing here imports pytest, so `python -m bench.<name>` runs with the hub's own dependencies only;
the pytest fixtures that wrap these live in the `conftest.py` files.
"""
