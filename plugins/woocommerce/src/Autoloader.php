<?php
/**
 * Class loader for the plugin's own namespace.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync;

defined( 'ABSPATH' ) || exit;

/**
 * Maps TikTokShopSync\Foo\Bar to src/Foo/Bar.php.
 *
 * The plugin ships without Composer so a merchant can install the zip as it is; this is the
 * whole of the PSR-4 mapping it needs.
 */
final class Autoloader {

	/**
	 * Folder holding the namespace root, with a trailing slash.
	 *
	 * @var string
	 */
	private static $base = '';

	/**
	 * Registers the loader once.
	 *
	 * @param string $base Folder holding the namespace root.
	 * @return void
	 */
	public static function register( $base ) {
		if ( '' !== self::$base ) {
			return;
		}
		self::$base = rtrim( $base, '/' ) . '/';
		spl_autoload_register( array( __CLASS__, 'load' ) );
	}

	/**
	 * Loads one class of the plugin's namespace; ignores every other class.
	 *
	 * @param string $class_name Fully qualified class name.
	 * @return void
	 */
	public static function load( $class_name ) {
		$prefix = __NAMESPACE__ . '\\';
		if ( 0 !== strpos( $class_name, $prefix ) ) {
			return;
		}
		$relative = substr( $class_name, strlen( $prefix ) );
		$file     = self::$base . str_replace( '\\', '/', $relative ) . '.php';
		if ( is_readable( $file ) ) {
			require_once $file;
		}
	}
}
