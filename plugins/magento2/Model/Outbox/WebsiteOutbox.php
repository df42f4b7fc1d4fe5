<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Outbox;

use TikTokShopSync\Connector\Model\Catalog\ProductEvents;
use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\Outbox\OutboxRow;
use TikTokShopSync\ExtensionClient\Outbox\OutboxStore;

/**
 * One website's outbox as the shared client's OutboxStore: rows recorded as intents are serialised
 * here, when they are about to be sent, and frozen so that a retry repeats the same event.
 */
class WebsiteOutbox implements OutboxStore
{
    public function __construct(
        private readonly OutboxTable $table,
        private readonly ProductEvents $productEvents,
        private readonly int $websiteId
    ) {
    }

    public function due(int $limit): array
    {
        $out = [];
        foreach ($this->table->due($this->websiteId, $limit) as $row) {
            $rowId = (int) $row['id'];
            $eventId = (string) $row['event_id'];
            $payload = $row['payload'];
            if (null === $payload || '' === $payload) {
                try {
                    $event = $this->productEvents->build(
                        $this->websiteId,
                        (int) $row['product_id'],
                        (string) $row['event_type'],
                        $eventId
                    );
                } catch (\Throwable $e) {
                    $this->table->markRejected($rowId, $eventId, 'The product could not be read: ' . $e->getMessage());
                    continue;
                }
                if (null === $event) {
                    // Nothing to tell the hub (for example a product type the hub does not take).
                    $this->table->delete($rowId, $eventId);
                    continue;
                }
                $payload = (string) json_encode($event, HubClient::JSON_FLAGS);
                $this->table->freeze($rowId, $eventId, (string) $event['type'], $payload);
            }
            $decoded = json_decode((string) $payload);
            if (!is_object($decoded)) {
                $this->table->markRejected($rowId, $eventId, 'The stored event is not valid JSON.');
                continue;
            }
            $out[] = new OutboxRow($rowId, $eventId, (int) $row['attempts'], $decoded);
        }
        return $out;
    }

    public function markDelivered(int $rowId, string $eventId): void
    {
        $this->table->delete($rowId, $eventId);
    }

    public function markRejected(int $rowId, string $eventId, string $reason): void
    {
        $this->table->markRejected($rowId, $eventId, $reason);
    }

    public function markRetry(array $rowIds, string $error, int $delaySeconds): void
    {
        $this->table->markRetry($rowIds, $error, $delaySeconds);
    }

    public function releaseBackoff(): int
    {
        return $this->table->releaseBackoff($this->websiteId);
    }
}
