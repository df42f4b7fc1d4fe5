<?php
/**
 * Monotonic version numbers for products and stock items.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Sync;

use TikTokShopSync\Options;

defined( 'ABSPATH' ) || exit;

/**
 * Millisecond timestamps that never go backwards.
 *
 * The hub ignores an inventory item older than the one it holds, so two changes in the same
 * millisecond, or a server clock stepped back by NTP, must still yield increasing versions.
 * The last value handed out is kept in an option so the guarantee holds across requests.
 */
class VersionClock {

	/**
	 * Returns the current time in ms; replaceable in tests.
	 *
	 * @var callable
	 */
	private $now_ms;

	/**
	 * Last version handed out in this process.
	 *
	 * @var int
	 */
	private $last = 0;

	/**
	 * Whether the version is persisted in wp_options.
	 *
	 * @var bool
	 */
	private $persist;

	/**
	 * Constructor.
	 *
	 * @param callable|null $now_ms  Returns the current time in milliseconds.
	 * @param bool          $persist Keep the last value in wp_options.
	 */
	public function __construct( $now_ms = null, $persist = true ) {
		$this->now_ms  = $now_ms ? $now_ms : static function () {
			return (int) floor( microtime( true ) * 1000 );
		};
		$this->persist = (bool) $persist;
	}

	/**
	 * Next version: the current ms time, or one more than the last version if that is not larger.
	 *
	 * @return int
	 */
	public function next() {
		$last = $this->last;
		if ( $this->persist ) {
			$last = max( $last, (int) get_option( Options::LAST_VERSION, 0 ) );
		}
		$version    = max( (int) call_user_func( $this->now_ms ), $last + 1 );
		$this->last = $version;
		if ( $this->persist ) {
			update_option( Options::LAST_VERSION, $version, false );
		}
		return $version;
	}
}
