<?php
/**
 * Plugin Name:          TikTok Shop Sync for WooCommerce
 * Plugin URI:           https://github.com/tiktok-shop-sync/tiktok-shop-sync
 * Description:          Sends catalogue, price and stock changes to the TikTok Shop Sync hub and creates the TikTok Shop orders it hands back.
 * Version:              0.2.0
 * Requires at least:    6.2
 * Requires PHP:         7.4
 * Requires Plugins:     woocommerce
 * WC requires at least: 8.2
 * WC tested up to:      10.4
 * Author:               TikTok Shop Sync
 * License:              GPL-2.0-or-later
 * License URI:          https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:          tiktok-shop-sync
 * Domain Path:          /languages
 *
 * @package TikTokShopSync
 */

defined( 'ABSPATH' ) || exit;

define( 'TTS_SYNC_VERSION', '0.2.0' );
define( 'TTS_SYNC_FILE', __FILE__ );
define( 'TTS_SYNC_DIR', __DIR__ . '/' );

require_once TTS_SYNC_DIR . 'src/Autoloader.php';
// The shared Extension API client: lib/extension-client/ in the zip, plugins/extension-client-php/ in a checkout.
define( 'TTS_SYNC_LIBRARY_DIR', \TikTokShopSync\Autoloader::find_library( TTS_SYNC_DIR ) );
\TikTokShopSync\Autoloader::register( TTS_SYNC_DIR . 'src/', TTS_SYNC_LIBRARY_DIR );

if ( '' === TTS_SYNC_LIBRARY_DIR ) {
	// An incomplete upload: say so instead of failing on the first call to the hub.
	add_action(
		'admin_notices',
		static function () {
			echo '<div class="notice notice-error"><p>' . esc_html__( 'TikTok Shop Sync is incomplete: its lib/extension-client folder is missing. Install the plugin again from its zip.', 'tiktok-shop-sync' ) . '</p></div>';
		}
	);
	return;
}

// Declared on before_woocommerce_init, the only moment WooCommerce accepts it; the key is custom_order_tables.
add_action(
	'before_woocommerce_init',
	static function () {
		if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', TTS_SYNC_FILE, true );
		}
	}
);

register_activation_hook( __FILE__, array( '\TikTokShopSync\Installer', 'activate' ) );
register_deactivation_hook( __FILE__, array( '\TikTokShopSync\Installer', 'deactivate' ) );

\TikTokShopSync\Plugin::instance()->boot();
