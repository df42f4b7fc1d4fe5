<?php
/**
 * Installs WordPress into the SQLite database of a test site and activates WooCommerce (test double)
 * and this plugin, running their activation hooks as the Plugins screen would.
 *
 * Usage: php install.php SITE_DIR [--without-woocommerce]
 *
 * @package TikTokShopSync\Tests
 */

require __DIR__ . '/site.php';

$site        = $argv[1];
$without_wc  = in_array( '--without-woocommerce', $argv, true );
tts_test_prepare_site( $site );
tts_test_define_constants( $site );
define( 'WP_INSTALLING', true );
$table_prefix = 'wp_';
require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

add_filter( 'pre_wp_mail', '__return_false' );
$result = wp_install( 'TikTok Shop Sync test shop', 'admin', 'admin@shop.test', true, '', 'password' );
if ( empty( $result['user_id'] ) ) {
	fwrite( STDERR, "wp_install failed\n" );
	exit( 1 );
}
update_option( 'permalink_structure', '' );
update_option( 'woocommerce_currency', 'GBP' );
update_option( 'woocommerce_weight_unit', 'kg' );
update_option( 'woocommerce_dimension_unit', 'cm' );
wp_set_current_user( $result['user_id'] );
if ( getenv( 'TTS_INSTALL_HUB_URL' ) ) {
	update_option( 'tts_sync_hub_url', getenv( 'TTS_INSTALL_HUB_URL' ) );
	update_option( 'tts_sync_key_id', getenv( 'TTS_INSTALL_HUB_KEY_ID' ) );
	add_option( 'tts_sync_secret', getenv( 'TTS_INSTALL_HUB_SECRET' ), '', 'no' );
}

if ( $without_wc ) {
	// WordPress 6.5+ reads "Requires Plugins: woocommerce" and refuses to activate the plugin alone.
	$refused = activate_plugin( 'tiktok-shop-sync/tiktok-shop-sync.php', '', false, false );
	echo is_wp_error( $refused ) ? 'refused: ' . wp_strip_all_tags( $refused->get_error_message() ) . "\n" : "activated alone\n";
}
$plugins = array( 'woocommerce/woocommerce.php', 'tiktok-shop-sync/tiktok-shop-sync.php' );
foreach ( $plugins as $plugin ) {
	$error = activate_plugin( $plugin, '', false, false );
	if ( is_wp_error( $error ) ) {
		fwrite( STDERR, "activate_plugin({$plugin}) failed: " . $error->get_error_message() . "\n" );
		exit( 1 );
	}
}
if ( $without_wc ) {
	// WooCommerce disappears afterwards (folder removed, or an older WordPress without plugin dependencies).
	update_option( 'active_plugins', array( 'tiktok-shop-sync/tiktok-shop-sync.php' ) );
}
echo "installed\n";
