<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Outbox;

use Magento\ConfigurableProduct\Model\Product\Type\Configurable;
use TikTokShopSync\Connector\Model\Config;

/**
 * Turns captured product ids into outbox rows for every website with sync on. A configurable
 * product's child is recorded as its parent, the product the hub knows. Repeats within one request
 * are dropped before they reach the database.
 */
class ChangeRecorder
{
    /** @var array<string,bool> */
    private array $seen = [];

    public function __construct(
        private readonly OutboxTable $table,
        private readonly Config $config,
        private readonly Configurable $configurableType
    ) {
    }

    /**
     * @param int[] $productIds
     * @param string $type OutboxTable::TYPE_UPSERT, TYPE_STOCK or TYPE_DELETE.
     * @return int Rows written or updated.
     */
    public function record(array $productIds, string $type): int
    {
        $websites = $this->config->enabledWebsiteIds();
        if (!$websites) {
            return 0;
        }
        $ids = [];
        foreach ($productIds as $productId) {
            $productId = (int) $productId;
            if ($productId <= 0) {
                continue;
            }
            if (OutboxTable::TYPE_DELETE !== $type) {
                foreach ($this->configurableType->getParentIdsByChild($productId) as $parentId) {
                    $ids[(int) $parentId] = true;
                }
            }
            $ids[$productId] = true;
        }
        $written = 0;
        foreach (array_keys($ids) as $productId) {
            foreach ($websites as $websiteId) {
                $seenKey = $websiteId . ':' . $productId;
                $previous = $this->seen[$seenKey] ?? null;
                // Within a request: a stock change after a full change adds nothing; a delete or upsert always writes.
                if (null !== $previous && OutboxTable::TYPE_STOCK === $type) {
                    continue;
                }
                $this->seen[$seenKey] = true;
                $this->table->recordProductChange($websiteId, $productId, $type);
                ++$written;
            }
        }
        return $written;
    }

    /**
     * Forgets what this request recorded (long-running consumers call it between messages).
     */
    public function reset(): void
    {
        $this->seen = [];
    }
}
