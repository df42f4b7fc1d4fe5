<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Api;

/**
 * Delivers the outbox to the hub: right after a change commits, and every minute from cron.
 *
 * @api
 */
interface OutboxPusherInterface
{
    /**
     * Pushes once the current request's changes are committed (bounded and non-blocking).
     */
    public function pushSoon(): void;

    /**
     * Sends what is due now.
     *
     * @param int|null $websiteId One website, or all with sync enabled.
     * @return array<int,array<string,mixed>> Summary per website id.
     */
    public function flush(?int $websiteId = null): array;
}
