<?php
/**
 * Finds the WooCommerce order created for a TikTok order.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Orders;

defined( 'ABSPATH' ) || exit;

/**
 * Looks in the plugin's order map first, then in order meta through wc_get_orders() (which works
 * on both HPOS and legacy storage), so an order survives even a lost map row.
 */
class OrderLocator {

	const META_KEY = '_tiktok_order_id';

	/**
	 * Order map.
	 *
	 * @var OrderMap
	 */
	private $map;

	/**
	 * Constructor.
	 *
	 * @param OrderMap $map Order map.
	 */
	public function __construct( OrderMap $map ) {
		$this->map = $map;
	}

	/**
	 * The order for a TikTok order id, or null.
	 *
	 * @param string $tiktok_order_id TikTok order id.
	 * @return \WC_Order|null
	 */
	public function find( $tiktok_order_id ) {
		$row = $this->map->find( $tiktok_order_id );
		if ( $row && $row['order_id'] > 0 ) {
			$order = wc_get_order( $row['order_id'] );
			if ( $order ) {
				return $order;
			}
		}
		$ids = wc_get_orders(
			array(
				'limit'      => 1,
				'return'     => 'ids',
				'status'     => 'any',
				'meta_query' => array( // phpcs:ignore
					array(
						'key'   => self::META_KEY,
						'value' => (string) $tiktok_order_id,
					),
				),
			)
		);
		if ( ! $ids ) {
			return null;
		}
		$order = wc_get_order( (int) reset( $ids ) );
		if ( $order ) {
			$this->map->attach( $tiktok_order_id, $order->get_id() );
		}
		return $order ? $order : null;
	}
}
