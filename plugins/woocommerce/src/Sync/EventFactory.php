<?php
/**
 * Builds Extension API v1 events.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Sync;

defined( 'ABSPATH' ) || exit;

/**
 * Wraps payloads into events with a fresh UUID, the hub's idempotency key.
 */
class EventFactory {

	/**
	 * Generates UUIDs; replaceable in tests.
	 *
	 * @var callable
	 */
	private $uuid;

	/**
	 * Constructor.
	 *
	 * @param callable|null $uuid Returns a UUID string.
	 */
	public function __construct( $uuid = null ) {
		$this->uuid = $uuid ? $uuid : 'wp_generate_uuid4';
	}

	/**
	 * A product.upsert event.
	 *
	 * @param array $product Canonical product.
	 * @return array
	 */
	public function product_upsert( array $product ) {
		return $this->make( 'product.upsert', array( 'product' => $product ) );
	}

	/**
	 * A product.delete event.
	 *
	 * @param int|string $product_id Product id.
	 * @return array
	 */
	public function product_delete( $product_id ) {
		return $this->make( 'product.delete', array( 'product_id' => (string) $product_id ) );
	}

	/**
	 * An inventory.update event.
	 *
	 * @param array[] $items Items with product_id, variant_id, quantity, price, version.
	 * @return array
	 */
	public function inventory_update( array $items ) {
		return $this->make( 'inventory.update', array( 'items' => array_values( $items ) ) );
	}

	/**
	 * A store.update event.
	 *
	 * @param array $store Currency, units, versions, base URL.
	 * @return array
	 */
	public function store_update( array $store ) {
		return $this->make( 'store.update', array( 'store' => $store ) );
	}

	/**
	 * An order.fulfilled event.
	 *
	 * @param array $fulfilment tiktok_order_id, platform_order_id, tracking_number, carrier, shipped_at.
	 * @return array
	 */
	public function order_fulfilled( array $fulfilment ) {
		return $this->make( 'order.fulfilled', $fulfilment );
	}

	/**
	 * An order.cancelled event.
	 *
	 * @param array $cancellation tiktok_order_id, platform_order_id, reason.
	 * @return array
	 */
	public function order_cancelled( array $cancellation ) {
		return $this->make( 'order.cancelled', $cancellation );
	}

	/**
	 * Adds id and type to a payload.
	 *
	 * @param string $type    Event type.
	 * @param array  $payload Type-specific fields.
	 * @return array
	 */
	private function make( $type, array $payload ) {
		return array_merge(
			array(
				'id'   => (string) call_user_func( $this->uuid ),
				'type' => $type,
			),
			$payload
		);
	}
}
