<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Order;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Adapter\DuplicateException;

/**
 * The tiktokshop_order_map table: one row per TikTok order, UNIQUE on the TikTok order id. A worker
 * claims the row before creating the order, so a command delivered twice (or to two workers at
 * once) creates one Magento order.
 */
class OrderMap
{
    public const TABLE = 'tiktokshop_order_map';

    /** @var callable(): int */
    private $clock;

    public function __construct(private readonly ResourceConnection $resource, ?callable $clock = null)
    {
        $this->clock = $clock ?? 'time';
    }

    private function table(): string
    {
        return $this->resource->getTableName(self::TABLE);
    }

    /**
     * @return array<string,?string>|null tiktok_order_id, website_id, order_id, increment_id, claimed_at,
     *                                   cancelled_by_hub
     */
    public function find(string $tiktokOrderId): ?array
    {
        $row = $this->resource->getConnection()->fetchRow(
            'SELECT tiktok_order_id, website_id, order_id, increment_id, claimed_at, cancelled_by_hub FROM'
                . ' ' . $this->table()
            . ' WHERE tiktok_order_id = ?',
            [$tiktokOrderId]
        );
        return $row ?: null;
    }

    /**
     * @return array<string,mixed>|null
     */
    public function findByOrderId(int $orderId): ?array
    {
        $row = $this->resource->getConnection()->fetchRow(
            'SELECT tiktok_order_id, website_id, order_id, increment_id, claimed_at, cancelled_by_hub FROM'
                . ' ' . $this->table()
            . ' WHERE order_id = ?',
            [$orderId]
        );
        return $row ?: null;
    }

    /**
     * True when this worker now owns the creation of the order; false when another row exists.
     */
    public function claim(string $tiktokOrderId, int $websiteId): bool
    {
        try {
            $this->resource->getConnection()->insert($this->table(), [
                'tiktok_order_id' => $tiktokOrderId,
                'website_id' => $websiteId,
                'claimed_at' => (int) call_user_func($this->clock),
            ]);
            return true;
        } catch (DuplicateException $e) {
            return false;
        }
    }

    /**
     * Takes over a claim whose worker died before creating the order.
     */
    public function takeOverStaleClaim(string $tiktokOrderId, int $staleAfter): bool
    {
        $now = (int) call_user_func($this->clock);
        return $this->resource->getConnection()->update(
            $this->table(),
            ['claimed_at' => $now],
            ['tiktok_order_id = ?' => $tiktokOrderId, 'order_id IS NULL', 'claimed_at < ?' => $now - $staleAfter]
        ) > 0;
    }

    public function attach(string $tiktokOrderId, int $orderId, string $incrementId): void
    {
        $this->resource->getConnection()->update(
            $this->table(),
            ['order_id' => $orderId, 'increment_id' => $incrementId],
            ['tiktok_order_id = ?' => $tiktokOrderId]
        );
    }

    public function release(string $tiktokOrderId): void
    {
        $this->resource->getConnection()->delete(
            $this->table(),
            ['tiktok_order_id = ?' => $tiktokOrderId, 'order_id IS NULL']
        );
    }

    public function markCancelledByHub(string $tiktokOrderId): void
    {
        $this->resource->getConnection()->update(
            $this->table(),
            ['cancelled_by_hub' => 1],
            ['tiktok_order_id = ?' => $tiktokOrderId]
        );
    }
}
