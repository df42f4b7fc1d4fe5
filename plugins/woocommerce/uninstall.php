<?php
/**
 * Removes everything the plugin stored: its options, transients, scheduled jobs and two tables.
 *
 * WooCommerce orders created from TikTok Shop stay: they are the merchant's orders.
 *
 * @package TikTokShopSync
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

require_once __DIR__ . '/src/Autoloader.php';
\TikTokShopSync\Autoloader::register( __DIR__ . '/src/' );

foreach ( \TikTokShopSync\Options::all_names() as $tts_sync_option ) {
	delete_option( $tts_sync_option );
}

global $wpdb;
$wpdb->query( "DELETE FROM {$wpdb->options} WHERE option_name LIKE '\_transient\_tts\_sync\_%' OR option_name LIKE '\_transient\_timeout\_tts\_sync\_%'" ); // phpcs:ignore

( new \TikTokShopSync\Jobs\Scheduler() )->unschedule_all();
\TikTokShopSync\Installer::drop_tables();
