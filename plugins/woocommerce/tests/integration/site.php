<?php
/**
 * A throw-away WordPress site for the integration tests: real WordPress core (shared, read-only),
 * a private wp-content with the SQLite drop-in, this plugin and the WooCommerce test double.
 *
 * @package TikTokShopSync\Tests
 */

/**
 * Folder holding WordPress core and the SQLite integration (see tests/install-deps.sh).
 *
 * @return string
 */
function tts_test_deps_dir() {
	$dir = getenv( 'TTS_TEST_DEPS_DIR' );
	return rtrim( $dir ? $dir : '/opt/tiktok-shop-sync-test', '/' );
}

/**
 * Creates wp-content for a site folder.
 *
 * @param string $site Site folder.
 * @return void
 */
function tts_test_prepare_site( $site ) {
	$deps    = tts_test_deps_dir();
	$content = $site . '/wp-content';
	if ( ! is_file( $deps . '/wordpress/wp-settings.php' ) || ! is_file( $deps . '/sqlite-database-integration/db.copy' ) ) {
		fwrite( STDERR, "WordPress core or the SQLite drop-in is missing in {$deps}: run tests/install-deps.sh first.\n" );
		exit( 2 );
	}
	foreach ( array( $content, $content . '/plugins', $content . '/database', $content . '/uploads', $content . '/mu-plugins' ) as $dir ) {
		if ( ! is_dir( $dir ) ) {
			mkdir( $dir, 0777, true );
		}
	}
	$links = array(
		$content . '/plugins/sqlite-database-integration' => $deps . '/sqlite-database-integration',
		$content . '/plugins/tiktok-shop-sync'            => dirname( __DIR__, 2 ),
		$content . '/plugins/woocommerce'                 => dirname( __DIR__ ) . '/fakes/woocommerce',
	);
	foreach ( $links as $link => $target ) {
		if ( ! file_exists( $link ) ) {
			symlink( $target, $link );
		}
	}
	// The test site is offline: only loopback HTTP (the live hub) is allowed, and WordPress.org update checks are off.
	file_put_contents(
		$content . '/mu-plugins/offline.php',
		"<?php\nadd_filter( 'pre_http_request', static function ( \$pre, \$args, \$url ) { \$host = wp_parse_url( \$url, PHP_URL_HOST ); return in_array( \$host, array( '127.0.0.1', 'localhost' ), true ) ? \$pre : new WP_Error( 'offline', 'The test site makes no calls outside loopback: ' . \$url ); }, 10, 3 );\nremove_action( 'admin_init', '_maybe_update_core' );\n// No mail server either: mail is dropped (tests that look at mail catch it with pre_wp_mail first).\nadd_filter( 'pre_wp_mail', static function ( \$pre ) { return null === \$pre ? false : \$pre; }, 1000 );\nremove_action( 'admin_init', '_maybe_update_plugins' );\nremove_action( 'admin_init', '_maybe_update_themes' );\nadd_action( 'init', static function () { remove_action( 'admin_init', '_maybe_update_core' ); remove_action( 'admin_init', '_maybe_update_plugins' ); remove_action( 'admin_init', '_maybe_update_themes' ); remove_action( 'admin_init', 'wp_maybe_auto_update' ); }, 100 );\n"
	);
	$dropin = str_replace(
		array( '{SQLITE_IMPLEMENTATION_FOLDER_PATH}', '{SQLITE_PLUGIN}' ),
		array( $deps . '/sqlite-database-integration', 'sqlite-database-integration/load.php' ),
		file_get_contents( $deps . '/sqlite-database-integration/db.copy' )
	);
	file_put_contents( $content . '/db.php', $dropin );
}

/**
 * The constants wp-config.php would define.
 *
 * @param string $site Site folder.
 * @return void
 */
function tts_test_define_constants( $site ) {
	define( 'ABSPATH', tts_test_deps_dir() . '/wordpress/' );
	define( 'WP_CONTENT_DIR', $site . '/wp-content' );
	define( 'WP_CONTENT_URL', 'http://shop.test/wp-content' );
	define( 'WP_HOME', 'http://shop.test' );
	define( 'WP_SITEURL', 'http://shop.test' );
	define( 'DB_NAME', 'wordpress' );
	define( 'DB_USER', '' );
	define( 'DB_PASSWORD', '' );
	define( 'DB_HOST', '' );
	define( 'DB_CHARSET', 'utf8' );
	define( 'DB_COLLATE', '' );
	foreach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as $key ) {
		define( $key, 'tiktok-shop-sync-tests-' . $key );
	}
	define( 'WP_DEBUG', true );
	define( 'WP_DEBUG_DISPLAY', true );
	define( 'DISABLE_WP_CRON', true );
	define( 'WP_HTTP_BLOCK_EXTERNAL', false );
	$_SERVER['HTTP_HOST']   = 'shop.test';
	$_SERVER['SERVER_NAME'] = 'shop.test';
	$_SERVER['REQUEST_URI'] = '/wp-admin/';
	$_SERVER['SERVER_PORT'] = '80';

}
