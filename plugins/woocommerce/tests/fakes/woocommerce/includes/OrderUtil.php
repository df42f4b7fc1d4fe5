<?php
/**
 * Automattic\WooCommerce\Utilities\OrderUtil: which order storage is in use.
 *
 * @package TikTokShopSync\Tests
 */

namespace Automattic\WooCommerce\Utilities;

defined( 'ABSPATH' ) || exit;

/**
 * HPOS is in use when woocommerce_custom_orders_table_enabled is "yes" (new stores since WooCommerce
 * 8.2; a scripted install of 9.4 leaves it off, and it can only be switched while no orders exist).
 */
class OrderUtil {
	public static function custom_orders_table_usage_is_enabled() {
		return 'yes' === get_option( 'woocommerce_custom_orders_table_enabled', 'yes' );
	}
}
