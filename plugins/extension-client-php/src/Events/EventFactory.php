<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Events;

/**
 * Wraps payloads into Extension API events with a fresh UUID, the hub's idempotency key.
 */
class EventFactory
{
    /** @var callable(): string */
    private $uuid;

    public function __construct(?callable $uuid = null)
    {
        $this->uuid = $uuid ?? [self::class, 'uuid4'];
    }

    /**
     * A random RFC 4122 version 4 UUID.
     */
    public static function uuid4(): string
    {
        $bytes = random_bytes(16);
        $bytes[6] = chr((ord($bytes[6]) & 0x0f) | 0x40);
        $bytes[8] = chr((ord($bytes[8]) & 0x3f) | 0x80);
        return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($bytes), 4));
    }

    /**
     * @param array<string,mixed> $product Canonical product.
     * @return array<string,mixed>
     */
    public function productUpsert(array $product): array
    {
        return $this->make('product.upsert', ['product' => $product]);
    }

    /**
     * @return array<string,mixed>
     */
    public function productDelete(string $productId): array
    {
        return $this->make('product.delete', ['product_id' => $productId]);
    }

    /**
     * @param array<int,array<string,mixed>> $items product_id, variant_id, quantity, price, version.
     * @return array<string,mixed>
     */
    public function inventoryUpdate(array $items): array
    {
        return $this->make('inventory.update', ['items' => array_values($items)]);
    }

    /**
     * @param array<string,mixed> $store currency, weight_unit, dimension_unit, platform_version,
     *                                   extension_version, base_url.
     * @return array<string,mixed>
     */
    public function storeUpdate(array $store): array
    {
        return $this->make('store.update', ['store' => $store]);
    }

    /**
     * @return array<string,mixed>
     */
    public function orderFulfilled(
        string $tiktokOrderId,
        string $platformOrderId,
        string $trackingNumber,
        string $carrier,
        string $shippedAt
    ): array {
        return $this->make('order.fulfilled', [
            'tiktok_order_id' => $tiktokOrderId,
            'platform_order_id' => $platformOrderId,
            'tracking_number' => $trackingNumber,
            'carrier' => $carrier,
            'shipped_at' => $shippedAt,
        ]);
    }

    /**
     * @return array<string,mixed>
     */
    public function orderCancelled(string $tiktokOrderId, string $platformOrderId, string $reason): array
    {
        return $this->make('order.cancelled', [
            'tiktok_order_id' => $tiktokOrderId,
            'platform_order_id' => $platformOrderId,
            'reason' => $reason,
        ]);
    }

    /**
     * order.refunded (Extension API v1.2): a refund the merchant made in the store for a TikTok order.
     * Send it only to a hub whose /ping lists the feature; refunds made for order.refund are not sent.
     *
     * @param array<int,array<string,mixed>> $lines product_id, variant_id, quantity, amount, restocked
     * @return array<string,mixed>
     */
    public function orderRefunded(
        string $tiktokOrderId,
        string $platformOrderId,
        string $platformRefundId,
        string $amount,
        string $currency,
        string $reason,
        array $lines
    ): array {
        return $this->make('order.refunded', [
            'tiktok_order_id' => $tiktokOrderId,
            'platform_order_id' => $platformOrderId,
            'platform_refund_id' => $platformRefundId,
            'amount' => $amount,
            'currency' => $currency,
            'reason' => $reason,
            'lines' => array_values($lines),
        ]);
    }

    /**
     * @param array<string,mixed> $payload
     * @return array<string,mixed>
     */
    private function make(string $type, array $payload): array
    {
        return array_merge(['id' => (string) call_user_func($this->uuid), 'type' => $type], $payload);
    }
}
