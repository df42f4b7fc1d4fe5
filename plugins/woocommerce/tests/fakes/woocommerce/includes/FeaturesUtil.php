<?php
/**
 * Automattic\WooCommerce\Utilities\FeaturesUtil: feature compatibility declarations.
 *
 * @package TikTokShopSync\Tests
 */

namespace Automattic\WooCommerce\Utilities;

defined( 'ABSPATH' ) || exit;

/** Records declarations; like WooCommerce, refuses them outside before_woocommerce_init. */
class FeaturesUtil {
	private static $compatibility = array();

	public static function declare_compatibility( $feature_id, $plugin_file, $positive_compatibility = true ) {
		if ( ! doing_action( 'before_woocommerce_init' ) ) {
			_doing_it_wrong( __METHOD__, 'Feature compatibility must be declared in before_woocommerce_init.', '7.0.0' );
			return false;
		}
		$plugin = plugin_basename( $plugin_file );
		self::$compatibility[ $feature_id ][ $positive_compatibility ? 'compatible' : 'incompatible' ][] = $plugin;
		return true;
	}

	public static function get_compatible_plugins_for_feature( $feature_id, $active_only = false ) {
		return isset( self::$compatibility[ $feature_id ] ) ? self::$compatibility[ $feature_id ] + array( 'compatible' => array(), 'incompatible' => array() ) : array( 'compatible' => array(), 'incompatible' => array() );
	}
}
