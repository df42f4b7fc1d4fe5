<?php
/**
 * Loads a WordPress site where WooCommerce is not active and prints the admin notices.
 *
 * Usage: php notices-without-woocommerce.php SITE_DIR (after install.php SITE_DIR --without-woocommerce)
 *
 * @package TikTokShopSync\Tests
 */

require __DIR__ . '/site.php';
tts_test_define_constants( $argv[1] );
define( 'WP_ADMIN', true );
$table_prefix = 'wp_';
require ABSPATH . 'wp-settings.php';
wp_set_current_user( 1 );
do_action( 'admin_notices' );
