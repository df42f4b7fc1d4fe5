<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Outbox;

/**
 * The store-side table of events not yet acknowledged by the hub. Each platform implements it over
 * its own database layer; the flushing rules live in OutboxFlusher.
 *
 * Rows are identified by (row id, event id) so that a row replaced by a newer event for the same
 * thing while a delivery was in flight is not removed by that delivery's acknowledgement.
 */
interface OutboxStore
{
    /**
     * Pending rows due now, oldest first.
     *
     * @return OutboxRow[]
     */
    public function due(int $limit): array;

    public function markDelivered(int $rowId, string $eventId): void;

    /** Kept with the hub's reason for the merchant to see; never retried. */
    public function markRejected(int $rowId, string $eventId, string $reason): void;

    /**
     * @param int[] $rowIds
     */
    public function markRetry(array $rowIds, string $error, int $delaySeconds): void;

    /** Makes every waiting row due now (the hub answers again). Returns the rows released. */
    public function releaseBackoff(): int;
}
