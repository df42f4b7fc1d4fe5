<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Outbox;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Adapter\AdapterInterface;
use TikTokShopSync\ExtensionClient\Events\EventFactory;
use TikTokShopSync\ExtensionClient\HubClient;

/**
 * SQL of the tiktokshop_outbox table.
 *
 * A product change is written as an intent (product.upsert, inventory.update) without a payload,
 * inside the transaction that saves the product; it is serialised when it is sent, after the
 * commit, so the hub gets the committed state. While a row for a product is still undelivered, a
 * later change to the same product updates that row (new event id) instead of adding one: one
 * product save plus its MSI source-item save reach the hub as one change.
 */
class OutboxTable
{
    public const TABLE = 'tiktokshop_outbox';
    public const STATE_PENDING = 'pending';
    public const STATE_REJECTED = 'rejected';
    public const TYPE_UPSERT = 'product.upsert';
    public const TYPE_STOCK = 'inventory.update';
    public const TYPE_DELETE = 'product.delete';

    /** @var callable(): int */
    private $clock;

    /** @var callable(): string */
    private $uuid;

    public function __construct(
        private readonly ResourceConnection $resource,
        ?callable $clock = null,
        ?callable $uuid = null
    ) {
        $this->clock = $clock ?? 'time';
        $this->uuid = $uuid ?? [EventFactory::class, 'uuid4'];
    }

    private function db(): AdapterInterface
    {
        return $this->resource->getConnection();
    }

    private function table(): string
    {
        return $this->resource->getTableName(self::TABLE);
    }

    /**
     * Records that a product changed (upsert, stock only, or deleted) for one website.
     */
    public function recordProductChange(int $websiteId, int $productId, string $type): void
    {
        $key = 'product:' . $productId;
        $existing = $this->db()->fetchRow(
            'SELECT id, event_type FROM ' . $this->table()
            . ' WHERE website_id = ? AND dedupe_key = ? AND state = ? ORDER BY id DESC LIMIT 1',
            [$websiteId, $key, self::STATE_PENDING]
        );
        if ($existing) {
            // A pending full product (or deletion) already carries the stock: nothing to add.
            if (self::TYPE_STOCK === $type) {
                return;
            }
            $this->db()->update(
                $this->table(),
                ['event_id' => (string) call_user_func($this->uuid), 'event_type' => $type, 'payload' => null],
                ['id = ?' => (int) $existing['id']]
            );
            return;
        }
        $this->insert($websiteId, $type, $key, $productId, null);
    }

    /**
     * Adds a ready event; an undelivered one with the same dedupe key is replaced.
     *
     * @param array<string,mixed> $event
     */
    public function addEvent(int $websiteId, array $event, ?string $dedupeKey = null): void
    {
        $payload = (string) json_encode($event, HubClient::JSON_FLAGS);
        if (null !== $dedupeKey) {
            $existing = $this->db()->fetchOne(
                'SELECT id FROM ' . $this->table() . ' WHERE website_id = ? AND dedupe_key = ? AND state = ? ORDER'
                    . ' BY id DESC LIMIT 1',
                [$websiteId, $dedupeKey, self::STATE_PENDING]
            );
            if ($existing) {
                $this->db()->update(
                    $this->table(),
                    [
                        'event_id' => (string) $event['id'],
                        'event_type' => (string) $event['type'],
                        'payload' => $payload,
                    ],
                    ['id = ?' => (int) $existing]
                );
                return;
            }
        }
        $this->insert($websiteId, (string) $event['type'], $dedupeKey, null, $payload, (string) $event['id']);
    }

    private function insert(
        int $websiteId,
        string $type,
        ?string $key,
        ?int $productId,
        ?string $payload,
        ?string $eventId = null
    ): void {
        $this->db()->insert($this->table(), [
            'website_id' => $websiteId,
            'event_id' => $eventId ?? (string) call_user_func($this->uuid),
            'event_type' => $type,
            'dedupe_key' => $key,
            'product_id' => $productId,
            'payload' => $payload,
            'state' => self::STATE_PENDING,
            'attempts' => 0,
            'next_attempt_at' => 0,
            'created_at' => (int) call_user_func($this->clock),
        ]);
    }

    /**
     * Pending rows of a website that are due, oldest first.
     *
     * @return array<int,array<string,?string>> id, event_id, event_type, product_id, payload, attempts
     */
    public function due(int $websiteId, int $limit): array
    {
        return $this->db()->fetchAll(
            'SELECT id, event_id, event_type, product_id, payload, attempts FROM ' . $this->table()
            . ' WHERE website_id = ? AND state = ? AND next_attempt_at <= ? ORDER BY id ASC LIMIT ' . max(1, $limit),
            [$websiteId, self::STATE_PENDING, (int) call_user_func($this->clock)]
        );
    }

    /**
     * Keeps the serialised event, so a retry sends the same content under the same id.
     */
    public function freeze(int $rowId, string $eventId, string $type, string $payload): void
    {
        $this->db()->update(
            $this->table(),
            ['event_type' => $type, 'payload' => $payload],
            ['id = ?' => $rowId, 'event_id = ?' => $eventId]
        );
    }

    public function delete(int $rowId, string $eventId): void
    {
        $this->db()->delete($this->table(), ['id = ?' => $rowId, 'event_id = ?' => $eventId]);
    }

    public function markRejected(int $rowId, string $eventId, string $reason): void
    {
        $this->db()->update(
            $this->table(),
            ['state' => self::STATE_REJECTED, 'last_error' => mb_substr($reason, 0, 60000)],
            ['id = ?' => $rowId, 'event_id = ?' => $eventId]
        );
    }

    /**
     * @param int[] $rowIds
     */
    public function markRetry(array $rowIds, string $error, int $delaySeconds): void
    {
        $rowIds = array_map('intval', $rowIds);
        if (!$rowIds) {
            return;
        }
        $this->db()->query(
            'UPDATE ' . $this->table() . ' SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id'
                . ' IN ('
            . implode(',', $rowIds) . ')',
            [(int) call_user_func($this->clock) + max(0, $delaySeconds), mb_substr($error, 0, 60000)]
        );
    }

    public function releaseBackoff(int $websiteId): int
    {
        $released = (int) $this->db()->fetchOne(
            'SELECT COUNT(*) FROM ' . $this->table() . ' WHERE website_id = ? AND state = ? AND next_attempt_at > 0',
            [$websiteId, self::STATE_PENDING]
        );
        if ($released > 0) {
            $this->db()->update(
                $this->table(),
                ['next_attempt_at' => 0],
                ['website_id = ?' => $websiteId, 'state = ?' => self::STATE_PENDING]
            );
        }
        return $released;
    }

    public function pendingCount(int $websiteId): int
    {
        return (int) $this->db()->fetchOne(
            'SELECT COUNT(*) FROM ' . $this->table() . ' WHERE website_id = ? AND state = ?',
            [$websiteId, self::STATE_PENDING]
        );
    }

    public function hasDue(int $websiteId): bool
    {
        return (bool) $this->db()->fetchOne(
            'SELECT COUNT(*) FROM ' . $this->table() . ' WHERE website_id = ? AND state = ? AND next_attempt_at <= ?',
            [$websiteId, self::STATE_PENDING, (int) call_user_func($this->clock)]
        );
    }

    /**
     * @return array<int,array{event_type:string,dedupe_key:?string,last_error:?string,created_at:string}>
     */
    public function recentRejections(int $websiteId, int $limit = 10): array
    {
        return $this->db()->fetchAll(
            'SELECT event_type, dedupe_key, last_error, created_at FROM ' . $this->table()
            . ' WHERE website_id = ? AND state = ? ORDER BY id DESC LIMIT ' . max(1, $limit),
            [$websiteId, self::STATE_REJECTED]
        );
    }
}
