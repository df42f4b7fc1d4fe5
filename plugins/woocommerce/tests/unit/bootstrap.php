<?php
/**
 * PHPUnit bootstrap for the unit suite: the plugin's classes with the few WordPress functions they
 * call replaced by small in-memory versions, and a wpdb look-alike over an in-memory SQLite database.
 *
 * @package TikTokShopSync\Tests
 */

define( 'ABSPATH', __DIR__ . '/' );
define( 'ARRAY_A', 'ARRAY_A' );
define( 'TTS_SYNC_VERSION', '0.1.0' );

$GLOBALS['tts_test_options'] = array();
$GLOBALS['tts_test_filters'] = array();

function get_option( $name, $default = false ) {
	return array_key_exists( $name, $GLOBALS['tts_test_options'] ) ? $GLOBALS['tts_test_options'][ $name ] : $default;
}
function update_option( $name, $value, $autoload = null ) {
	$GLOBALS['tts_test_options'][ $name ] = $value;
	return true;
}
function add_option( $name, $value = '', $deprecated = '', $autoload = 'yes' ) {
	if ( array_key_exists( $name, $GLOBALS['tts_test_options'] ) ) {
		return false;
	}
	$GLOBALS['tts_test_options'][ $name ] = $value;
	return true;
}
function delete_option( $name ) {
	unset( $GLOBALS['tts_test_options'][ $name ] );
	return true;
}
/** As WooCommerce: taxes are on ("Enable tax rates and calculations") and prices entered with or without them. */
function wc_tax_enabled() {
	return 'yes' === get_option( 'woocommerce_calc_taxes', 'no' );
}
function wc_prices_include_tax() {
	return wc_tax_enabled() && 'yes' === get_option( 'woocommerce_prices_include_tax', 'no' );
}
function wp_cache_delete( $key, $group = '' ) {
	return true;
}
function add_filter( $hook, $callback, $priority = 10, $args = 1 ) {
	$GLOBALS['tts_test_filters'][ $hook ][] = $callback;
	return true;
}
function add_action( $hook, $callback, $priority = 10, $args = 1 ) {
	return add_filter( $hook, $callback, $priority, $args );
}
function apply_filters( $hook, $value, ...$args ) {
	foreach ( $GLOBALS['tts_test_filters'][ $hook ] ?? array() as $callback ) {
		$value = $callback( $value, ...$args );
	}
	return $value;
}
function do_action( $hook, ...$args ) {
	foreach ( $GLOBALS['tts_test_filters'][ $hook ] ?? array() as $callback ) {
		$callback( ...$args );
	}
}
function __( $text, $domain = 'default' ) {
	return $text;
}
function wp_json_encode( $data, $options = 0, $depth = 512 ) {
	return json_encode( $data, $options, $depth );
}
function wp_parse_url( $url, $component = -1 ) {
	return parse_url( $url, $component );
}
function wp_generate_uuid4() {
	return sprintf( '%04x%04x-%04x-%04x-%04x-%04x%04x%04x', mt_rand( 0, 0xffff ), mt_rand( 0, 0xffff ), mt_rand( 0, 0xffff ), mt_rand( 0, 0x0fff ) | 0x4000, mt_rand( 0, 0x3fff ) | 0x8000, mt_rand( 0, 0xffff ), mt_rand( 0, 0xffff ), mt_rand( 0, 0xffff ) );
}
function sanitize_title( $title ) {
	return trim( preg_replace( '/[^a-z0-9]+/', '-', strtolower( $title ) ), '-' );
}
function absint( $value ) {
	return abs( (int) $value );
}
function is_admin() {
	return false;
}
function maybe_unserialize( $value ) {
	return $value;
}
function wc_format_decimal( $number ) {
	if ( '' === $number || null === $number ) {
		return '';
	}
	$number = str_replace( ',', '.', (string) $number );
	return is_numeric( $number ) ? rtrim( rtrim( number_format( (float) $number, 6, '.', '' ), '0' ), '.' ) : '';
}
function wc_string_to_bool( $string ) {
	return is_bool( $string ) ? $string : ( 'yes' === strtolower( (string) $string ) || '1' === (string) $string || 'true' === strtolower( (string) $string ) );
}

$fakes = dirname( __DIR__ ) . '/fakes/woocommerce/includes/';
require $fakes . 'class-wc-data.php';
require $fakes . 'class-wc-product.php';
require $fakes . 'class-wc-product-data-store-cpt.php';
require $fakes . 'class-wc-order.php';

require dirname( __DIR__, 2 ) . '/src/Autoloader.php';
\TikTokShopSync\Autoloader::register( dirname( __DIR__, 2 ) . '/src/', \TikTokShopSync\Autoloader::find_library( dirname( __DIR__, 2 ) ) );

require __DIR__ . '/support/SqliteWpdb.php';
require __DIR__ . '/support/FakeTransport.php';
require __DIR__ . '/support/FakeCatalog.php';
