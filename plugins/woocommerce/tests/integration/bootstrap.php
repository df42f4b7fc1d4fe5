<?php
/**
 * PHPUnit bootstrap for the integration suite: installs a fresh site (in a child process, as the
 * WordPress installer must run before plugins load), then loads WordPress normally with WooCommerce
 * (test double) and this plugin active, as wp-admin would.
 *
 * @package TikTokShopSync\Tests
 */

require __DIR__ . '/site.php';
require __DIR__ . '/LiveHub.php';

// The live hub comes first: the merchant has saved its URL, key and secret before any request we test.
$hub = LiveHub::get();
// Registered first, so the hub is stopped even if loading WordPress fails below.
register_shutdown_function( array( 'LiveHub', 'stop_all' ) );
putenv( 'TTS_INSTALL_HUB_URL=' . $hub->url );
putenv( 'TTS_INSTALL_HUB_KEY_ID=' . $hub->key_id );
putenv( 'TTS_INSTALL_HUB_SECRET=' . $hub->secret );

$site = rtrim( sys_get_temp_dir(), '/' ) . '/tts-wp-' . getmypid() . '-' . bin2hex( random_bytes( 3 ) );
mkdir( $site, 0777, true );
register_shutdown_function(
	static function () use ( $site ) {
		exec( 'rm -rf ' . escapeshellarg( $site ) );
	}
);
putenv( 'TTS_TEST_SITE_DIR=' . $site );

$cmd = escapeshellarg( PHP_BINARY ) . ' ' . escapeshellarg( __DIR__ . '/install.php' ) . ' ' . escapeshellarg( $site ) . ' 2>&1';
exec( $cmd, $output, $code );
if ( 0 !== $code ) {
	fwrite( STDERR, "WordPress install failed:\n" . implode( "\n", $output ) . "\n" );
	exit( 1 );
}

tts_test_define_constants( $site );
define( 'WP_ADMIN', true );
// PHPUnit includes this file inside a function; WordPress expects these in the global scope.
global $table_prefix, $wpdb, $current_site, $current_blog, $wp_rewrite, $shortcode_tags, $wp, $phpmailer, $wp_theme_directories, $wp_query, $wp_the_query, $wp_filter, $wp_actions, $wp_current_filter, $wp_roles, $wp_locale, $wp_embed, $wp_widget_factory, $wp_post_types, $wp_taxonomies, $pagenow, $wp_version, $wp_db_version;
$table_prefix = 'wp_';
require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';

// The end of a request is simulated with do_action( 'shutdown' ); PHPUnit's output buffer must survive it.
remove_action( 'shutdown', 'wp_ob_end_flush_all', 1 );
wp_set_current_user( 1 );
do_action( 'admin_init' );

require __DIR__ . '/RecordingTransport.php';
require __DIR__ . '/IntegrationTestCase.php';


