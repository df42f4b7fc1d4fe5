<?php
/**
 * Activation, upgrade and deactivation.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync;

use TikTokShopSync\Jobs\Scheduler;
use TikTokShopSync\Orders\OrderMap;
use TikTokShopSync\Sync\Outbox;

defined( 'ABSPATH' ) || exit;

/**
 * Creates the plugin's two tables and its recurring poll; removes the schedule on deactivation.
 */
class Installer {

	const DB_VERSION = '1';

	/**
	 * Activation hook.
	 *
	 * @return void
	 */
	public static function activate() {
		self::create_tables();
		if ( false === get_option( Options::ENABLED, false ) ) {
			add_option( Options::ENABLED, 'yes' );
		}
	}

	/**
	 * Deactivation hook: stops the background jobs; data stays until uninstall.
	 *
	 * @return void
	 */
	public static function deactivate() {
		( new Scheduler() )->unschedule_all();
	}

	/**
	 * Creates or upgrades tables when the stored schema version is older than the code's.
	 *
	 * @return void
	 */
	public static function maybe_upgrade() {
		if ( self::DB_VERSION !== get_option( Options::DB_VERSION ) ) {
			self::create_tables();
		}
	}

	/**
	 * Table definitions, run through dbDelta.
	 *
	 * The order map's UNIQUE key on tiktok_order_id is what makes order creation safe when two
	 * workers receive the same command: only one insert can win.
	 *
	 * @return void
	 */
	public static function create_tables() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$charset = $wpdb->get_charset_collate();
		$outbox  = $wpdb->prefix . Outbox::TABLE;
		$map     = $wpdb->prefix . OrderMap::TABLE;
		dbDelta(
			"CREATE TABLE {$outbox} (
id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
event_id varchar(36) NOT NULL,
event_type varchar(40) NOT NULL,
dedupe_key varchar(191) DEFAULT NULL,
payload longtext NOT NULL,
state varchar(20) NOT NULL DEFAULT 'pending',
attempts int(10) unsigned NOT NULL DEFAULT 0,
next_attempt_at bigint(20) unsigned NOT NULL DEFAULT 0,
last_error text,
created_at bigint(20) unsigned NOT NULL DEFAULT 0,
PRIMARY KEY  (id),
KEY state_due (state,next_attempt_at),
KEY dedupe_key (dedupe_key)
) {$charset};"
		);
		dbDelta(
			"CREATE TABLE {$map} (
id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
tiktok_order_id varchar(64) NOT NULL,
order_id bigint(20) unsigned NOT NULL DEFAULT 0,
claimed_at bigint(20) unsigned NOT NULL DEFAULT 0,
PRIMARY KEY  (id),
UNIQUE KEY tiktok_order_id (tiktok_order_id)
) {$charset};"
		);
		update_option( Options::DB_VERSION, self::DB_VERSION );
	}

	/**
	 * Drops both tables (uninstall only).
	 *
	 * @return void
	 */
	public static function drop_tables() {
		global $wpdb;
		foreach ( array( Outbox::TABLE, OrderMap::TABLE ) as $table ) {
			$wpdb->query( 'DROP TABLE IF EXISTS ' . $wpdb->prefix . $table ); // phpcs:ignore
		}
	}
}
