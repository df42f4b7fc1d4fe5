<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Order;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Adapter\DuplicateException;

/**
 * The tiktokshop_refund_map table: one row per TikTok return, UNIQUE on the return id. A worker claims
 * the row before making the credit memo, so an order.refund delivered twice (or to two workers at
 * once) refunds once; the row then names the credit memo, which is also how the module recognises its
 * own credit memos and does not report them back to the hub as order.refunded.
 */
class RefundMap
{
    public const TABLE = 'tiktokshop_refund_map';

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
     * @return array<string,mixed>|null tiktok_return_id, tiktok_order_id, order_id, creditmemo_id, claimed_at
     */
    public function find(string $tiktokReturnId): ?array
    {
        $row = $this->resource->getConnection()->fetchRow(
            'SELECT tiktok_return_id, tiktok_order_id, order_id, creditmemo_id, claimed_at'
            . ' FROM ' . $this->table()
            . ' WHERE tiktok_return_id = ?',
            [$tiktokReturnId]
        );
        return $row ?: null;
    }

    /**
     * True when this worker now owns the refund of the return; false when another row exists.
     */
    public function claim(string $tiktokReturnId, string $tiktokOrderId, int $orderId): bool
    {
        try {
            $this->resource->getConnection()->insert($this->table(), [
                'tiktok_return_id' => $tiktokReturnId,
                'tiktok_order_id' => $tiktokOrderId,
                'order_id' => $orderId,
                'claimed_at' => (int) call_user_func($this->clock),
            ]);
            return true;
        } catch (DuplicateException $e) {
            return false;
        }
    }

    /**
     * Takes over a claim whose worker died before the credit memo was made.
     */
    public function takeOverStaleClaim(string $tiktokReturnId, int $staleAfter): bool
    {
        $now = (int) call_user_func($this->clock);
        return $this->resource->getConnection()->update(
            $this->table(),
            ['claimed_at' => $now],
            [
                'tiktok_return_id = ?' => $tiktokReturnId,
                'creditmemo_id IS NULL',
                'claimed_at < ?' => $now - $staleAfter,
            ]
        ) > 0;
    }

    public function attach(string $tiktokReturnId, int $creditmemoId): void
    {
        $this->resource->getConnection()->update(
            $this->table(),
            ['creditmemo_id' => $creditmemoId],
            ['tiktok_return_id = ?' => $tiktokReturnId]
        );
    }

    public function release(string $tiktokReturnId): void
    {
        $this->resource->getConnection()->delete(
            $this->table(),
            ['tiktok_return_id = ?' => $tiktokReturnId, 'creditmemo_id IS NULL']
        );
    }

    /**
     * True while a credit memo for order.refund is being made for this order (a claim younger than
     * $staleAfter seconds), or when the credit memo is one the module made: Magento's refund event for
     * it must not be echoed to the hub.
     */
    public function isModuleRefund(int $orderId, ?int $creditmemoId, int $staleAfter): bool
    {
        $sql = 'SELECT COUNT(*) FROM ' . $this->table() . ' WHERE order_id = ?'
            . ' AND ((creditmemo_id IS NULL AND claimed_at >= ?)';
        $bind = [$orderId, (int) call_user_func($this->clock) - $staleAfter];
        if (null !== $creditmemoId) {
            $sql .= ' OR creditmemo_id = ?';
            $bind[] = $creditmemoId;
        }
        return (int) $this->resource->getConnection()->fetchOne($sql . ')', $bind) > 0;
    }
}
