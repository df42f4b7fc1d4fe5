<?php
/**
 * Cancels the WooCommerce order of a TikTok order (order.cancel).
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Orders;

use TikTokShopSync\ExtensionClient\Commands\CommandFailure;

defined( 'ABSPATH' ) || exit;

/**
 * Moves the order to "cancelled" through WooCommerce, which restores stock and notifies as usual.
 */
class OrderCanceller {

	/**
	 * Set while this class cancels an order, so the store-side cancellation notice is not echoed back.
	 *
	 * @var bool
	 */
	public static $cancelling = false;

	/**
	 * Order locator.
	 *
	 * @var OrderLocator
	 */
	private $locator;

	/**
	 * Constructor.
	 *
	 * @param OrderLocator $locator Order locator.
	 */
	public function __construct( OrderLocator $locator ) {
		$this->locator = $locator;
	}

	/**
	 * Cancels the order.
	 *
	 * @param array $payload tiktok_order_id, platform_order_id, reason.
	 * @return array{platform_order_id:string}
	 * @throws CommandFailure When the id is missing or no order exists.
	 */
	public function cancel( array $payload ) {
		$tiktok_id = isset( $payload['tiktok_order_id'] ) ? trim( (string) $payload['tiktok_order_id'] ) : '';
		if ( '' === $tiktok_id ) {
			throw new CommandFailure( CommandFailure::MISSING_FIELD, 'The cancellation has no tiktok_order_id.' );
		}
		$order = $this->locator->find( $tiktok_id );
		if ( ! $order ) {
			throw new CommandFailure( CommandFailure::PLATFORM_ERROR, 'No order in this store was created for TikTok order ' . $tiktok_id . '.' );
		}
		if ( ! $order->has_status( 'cancelled' ) ) {
			$reason = ! empty( $payload['reason'] ) ? (string) $payload['reason'] : __( 'no reason given', 'tiktok-shop-sync' );
			self::$cancelling = true;
			try {
				$order->update_status(
					'cancelled',
					/* translators: %s: reason given by TikTok Shop. */
					sprintf( __( 'Cancelled on TikTok Shop: %s.', 'tiktok-shop-sync' ), $reason )
				);
			} finally {
				self::$cancelling = false;
			}
		}
		return array( 'platform_order_id' => (string) $order->get_order_number() );
	}
}
