<?php
/**
 * A short-lived lock in wp_options.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Jobs;

use TikTokShopSync\ExtensionClient\Commands\CommandLock;

defined( 'ABSPATH' ) || exit;

/**
 * Keeps two background runs of the same job from overlapping.
 *
 * add_option() inserts a row with a unique name, so exactly one caller wins; a lock older than its
 * time-to-live is treated as left behind by a crashed run and taken over. It is also the shared
 * client's poll lock, so cron, the hub's wake-up and the merchant's button never poll at once.
 */
class Lock implements CommandLock {

	/**
	 * Option name.
	 *
	 * @var string
	 */
	private $name;

	/**
	 * Seconds after which the lock is considered abandoned.
	 *
	 * @var int
	 */
	private $ttl;

	/**
	 * Constructor.
	 *
	 * @param string $name Option name.
	 * @param int    $ttl  Seconds.
	 */
	public function __construct( $name, $ttl ) {
		$this->name = (string) $name;
		$this->ttl  = (int) $ttl;
	}

	/**
	 * Tries to take the lock.
	 *
	 * @return bool
	 */
	public function acquire(): bool {
		if ( add_option( $this->name, time() + $this->ttl, '', 'no' ) ) {
			return true;
		}
		wp_cache_delete( $this->name, 'options' );
		wp_cache_delete( 'notoptions', 'options' );
		$expires = (int) get_option( $this->name, 0 );
		if ( $expires > time() ) {
			return false;
		}
		delete_option( $this->name );
		return (bool) add_option( $this->name, time() + $this->ttl, '', 'no' );
	}

	/**
	 * Releases the lock.
	 *
	 * @return void
	 */
	public function release(): void {
		delete_option( $this->name );
	}
}
