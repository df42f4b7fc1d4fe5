"""Order sync: TikTok orders into the store (importer, matching, handoff), cancellations both ways,
fulfilment back to TikTok, and the polling that catches what webhooks miss."""
