"""`hub demo`: the whole product on one machine with nothing configured (design §10)."""
