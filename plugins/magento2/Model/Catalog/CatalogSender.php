<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Catalog;

use Magento\Framework\App\ResourceConnection;
use TikTokShopSync\Connector\Api\CatalogSenderInterface;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;

/**
 * Queues a website's products to be sent again (catalog.resend, tiktokshop:catalog:send): each
 * becomes an outbox intent, serialised when sent, so a large catalog never builds up in memory.
 * Children of configurable products are sent through their parent.
 */
class CatalogSender implements CatalogSenderInterface
{
    public function __construct(
        private readonly ResourceConnection $resource,
        private readonly OutboxTable $outbox,
        private readonly StoreFacts $storeFacts
    ) {
    }

    public function send(int $websiteId, ?array $productIds = null): int
    {
        $this->storeFacts->queue($websiteId);
        $db = $this->resource->getConnection();
        $sql = 'SELECT w.product_id FROM ' . $this->resource->getTableName('catalog_product_website') . ' w'
            . ' JOIN ' . $this->resource->getTableName('catalog_product_entity') . ' e ON e.entity_id = w.product_id'
            . " WHERE w.website_id = ? AND e.type_id IN ('simple', 'virtual', 'configurable')"
            . ' AND w.product_id NOT IN (SELECT l.product_id FROM ' . $this->resource->getTableName(
                'catalog_product_super_link'
            ) . ' l)';
        $bind = [$websiteId];
        if (null !== $productIds) {
            $ids = array_values(array_filter(array_map('intval', $productIds)));
            if (!$ids) {
                return 0;
            }
            $sql .= ' AND w.product_id IN (' . implode(',', $ids) . ')';
        }
        $count = 0;
        foreach ($db->fetchCol($sql . ' ORDER BY w.product_id', $bind) as $productId) {
            $this->outbox->recordProductChange($websiteId, (int) $productId, OutboxTable::TYPE_UPSERT);
            ++$count;
        }
        return $count;
    }
}
