"""`hub demo`: the whole product on one machine with nothing configured (README.md)."""
