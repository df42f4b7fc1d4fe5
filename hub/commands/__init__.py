"""Commands: work the hub hands to a store's extension, which polls for it (the hub never calls a store)."""
