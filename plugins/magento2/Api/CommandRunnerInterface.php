<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Api;

/**
 * Polls the hub for commands (order.create, order.cancel, catalog.resend) and carries them out.
 * Used by cron, the queue consumer, the wake-up endpoint and bin/magento tiktokshop:commands:run.
 *
 * @api
 */
interface CommandRunnerInterface
{
    /**
     * @param int|null $websiteId One website, or every website with sync enabled.
     * @param int      $wait      Long-poll seconds (0-30).
     * @param bool     $force     Poll even while the hub asked the store to wait.
     * @return array<int,array<string,mixed>> Summary per website id.
     */
    public function run(?int $websiteId = null, int $wait = 0, bool $force = false): array;
}
