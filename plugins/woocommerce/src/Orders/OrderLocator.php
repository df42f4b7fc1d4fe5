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
		$ids = wc_get_orders( self::query( (string) $tiktok_order_id ) );
		if ( ! $ids ) {
			return null;
		}
		$order = wc_get_order( (int) reset( $ids ) );
		if ( $order ) {
			$this->map->attach( $tiktok_order_id, $order->get_id() );
		}
		return $order ? $order : null;
	}

	/**
	 * The wc_get_orders() arguments that find an order by its TikTok order id, for either order storage.
	 *
	 * With High-Performance Order Storage (HPOS) a meta_query is the supported way. With posts storage
	 * WooCommerce ignores a meta_query (9.2+ only adds a notice) and returns any order, so a new TikTok
	 * order would be taken for an existing one; there, meta_key/meta_value reach WP_Query, which filters.
	 *
	 * @param string $tiktok_order_id TikTok order id.
	 * @return array
	 */
	public static function query( $tiktok_order_id ) {
		$args = array(
			'limit'  => 1,
			'return' => 'ids',
			'status' => 'any',
		);
		if ( self::hpos_enabled() ) {
			$args['meta_query'] = array( // phpcs:ignore
				array(
					'key'   => self::META_KEY,
					'value' => (string) $tiktok_order_id,
				),
			);
		} else {
			$args['meta_key']   = self::META_KEY; // phpcs:ignore
			$args['meta_value'] = (string) $tiktok_order_id; // phpcs:ignore
		}
		return $args;
	}

	/**
	 * Whether orders live in WooCommerce's own tables (HPOS) rather than in posts.
	 *
	 * @return bool
	 */
	public static function hpos_enabled() {
		$util = '\\Automattic\\WooCommerce\\Utilities\\OrderUtil';
		return class_exists( $util ) && is_callable( array( $util, 'custom_orders_table_usage_is_enabled' ) ) && $util::custom_orders_table_usage_is_enabled();
	}
}
