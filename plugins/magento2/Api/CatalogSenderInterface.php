<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Api;

/**
 * Queues products (or the whole catalog of a website) to be sent to the hub again.
 *
 * @api
 */
interface CatalogSenderInterface
{
    /**
     * @param int        $websiteId
     * @param int[]|null $productIds Null for every product of the website.
     * @return int Products queued.
     */
    public function send(int $websiteId, ?array $productIds = null): int;
}
