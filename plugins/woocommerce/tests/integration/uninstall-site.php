<?php
/**
 * Loads an installed test site, uninstalls the plugin through WordPress (uninstall_plugin(), which
 * runs uninstall.php) and prints what is left of its data as JSON.
 *
 * Usage: php uninstall-site.php SITE_DIR
 *
 * @package TikTokShopSync\Tests
 */

require __DIR__ . '/site.php';
tts_test_define_constants( $argv[1] );
define( 'WP_ADMIN', true );
$table_prefix = 'wp_';
require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
wp_set_current_user( 1 );
set_transient( 'tts_sync_status_test', array( 1 ), 60 );
as_schedule_recurring_action( time(), 60, 'tts_sync_poll_commands', array(), 'tiktok-shop-sync', true );
$before = array(
	'tables'  => $wpdb->get_col( "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%tts_%'" ),
	'options' => $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE '%tts_sync%'" ),
);
deactivate_plugins( 'tiktok-shop-sync/tiktok-shop-sync.php' );
uninstall_plugin( 'tiktok-shop-sync/tiktok-shop-sync.php' );
wp_cache_flush();
echo wp_json_encode(
	array(
		'before'  => $before,
		'tables'  => $wpdb->get_col( "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%tts_%'" ),
		'options' => $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE '%tts_sync%'" ),
		'jobs'    => as_has_scheduled_action( 'tts_sync_poll_commands' ),
	)
);
