<?php
/**
 * Class loader for the plugin's own namespace and the bundled Extension API client.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync;

defined( 'ABSPATH' ) || exit;

/**
 * Maps TikTokShopSync\Foo\Bar to src/Foo/Bar.php, and TikTokShopSync\ExtensionClient\Foo\Bar to the
 * shared client's src/Foo/Bar.php.
 *
 * The plugin ships without Composer so a merchant can install the zip as it is; this is the whole of
 * the PSR-4 mapping it needs. The shared client (plugins/extension-client-php) is copied into the zip
 * as lib/extension-client/ by bin/build-zip.sh; a checkout of the repository uses it where it lies,
 * next to the plugin, so there is one copy of its code to change.
 */
final class Autoloader {

	const LIBRARY_NAMESPACE = 'TikTokShopSync\\ExtensionClient\\';

	/**
	 * Namespace prefixes and the folders holding them (with a trailing slash), longest prefix first.
	 *
	 * @var array<string,string>
	 */
	private static $roots = array();

	/**
	 * Where the shared client's src/ may be, in order: the copy inside the installed plugin, then the
	 * repository layout (plugins/woocommerce next to plugins/extension-client-php).
	 *
	 * @param string $plugin_dir The plugin's folder.
	 * @return string[]
	 */
	public static function library_candidates( $plugin_dir ) {
		$plugin_dir = rtrim( $plugin_dir, '/' );
		return array(
			$plugin_dir . '/lib/extension-client/src/',
			dirname( $plugin_dir ) . '/extension-client-php/src/',
		);
	}

	/**
	 * The first folder that holds the shared client, or '' when none does (an incomplete upload).
	 *
	 * @param string $plugin_dir The plugin's folder.
	 * @return string
	 */
	public static function find_library( $plugin_dir ) {
		foreach ( self::library_candidates( $plugin_dir ) as $candidate ) {
			if ( is_readable( $candidate . 'HubClient.php' ) ) {
				return $candidate;
			}
		}
		return '';
	}

	/**
	 * Registers the loader once.
	 *
	 * @param string $base    Folder holding the plugin's namespace root.
	 * @param string $library Folder holding the shared client's namespace root ('' for none).
	 * @return void
	 */
	public static function register( $base, $library = '' ) {
		if ( self::$roots ) {
			return;
		}
		if ( '' !== $library ) {
			self::$roots[ self::LIBRARY_NAMESPACE ] = rtrim( $library, '/' ) . '/';
		}
		self::$roots[ __NAMESPACE__ . '\\' ] = rtrim( $base, '/' ) . '/';
		spl_autoload_register( array( __CLASS__, 'load' ) );
	}

	/**
	 * Loads one class of a registered namespace; ignores every other class.
	 *
	 * @param string $class_name Fully qualified class name.
	 * @return void
	 */
	public static function load( $class_name ) {
		foreach ( self::$roots as $prefix => $root ) {
			if ( 0 !== strpos( $class_name, $prefix ) ) {
				continue;
			}
			$file = $root . str_replace( '\\', '/', substr( $class_name, strlen( $prefix ) ) ) . '.php';
			if ( is_readable( $file ) ) {
				require_once $file;
			}
			return;
		}
	}
}
