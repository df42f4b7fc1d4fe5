<?php
/**
 * The shared client's small state, kept in wp_options.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync;

use TikTokShopSync\ExtensionClient\Support\StateStore;

defined( 'ABSPATH' ) || exit;

/**
 * Keeps the values the shared client must remember between requests (the last version handed out,
 * when the hub allows the next scheduled poll) as options named "tts_sync_" + name, not autoloaded.
 *
 * Each read goes to the database: another request (a cron poll, the hub's wake-up) may have written
 * the value a moment ago. Options::all_names() lists every name written here, so uninstall removes them.
 */
class OptionState implements StateStore {

	const PREFIX = 'tts_sync_';

	/**
	 * The stored value, or null when none is.
	 *
	 * @param string $name Name used by the shared client.
	 * @return mixed|null
	 */
	public function get( string $name ) {
		return Options::fresh( self::PREFIX . $name, null );
	}

	/**
	 * Stores a value.
	 *
	 * @param string $name  Name used by the shared client.
	 * @param mixed  $value Scalar or array.
	 * @return void
	 */
	public function set( string $name, $value ): void {
		update_option( self::PREFIX . $name, $value, false );
	}
}
