<?php
/**
 * Plugin settings and small pieces of state kept in wp_options.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync;

defined( 'ABSPATH' ) || exit;

/**
 * One place that knows every option name, so uninstall.php and the settings page agree.
 *
 * Credentials may come from constants in wp-config.php (TTS_SYNC_HUB_URL, TTS_SYNC_KEY_ID,
 * TTS_SYNC_SECRET), which win over the database: a host can then keep the secret out of backups.
 */
class Options {

	const HUB_URL          = 'tts_sync_hub_url';
	const KEY_ID           = 'tts_sync_key_id';
	const SECRET           = 'tts_sync_secret';
	const ENABLED          = 'tts_sync_enabled';
	const CONNECTION       = 'tts_sync_connection';
	const LAST_CONTACT     = 'tts_sync_last_contact';
	const CATALOG_PROGRESS = 'tts_sync_catalog_progress';
	const LAST_VERSION     = 'tts_sync_last_version';
	const DB_VERSION       = 'tts_sync_db_version';
	const FLUSH_LOCK       = 'tts_sync_flush_lock';
	const POLL_LOCK        = 'tts_sync_poll_lock';
	const WAKE_PENDING     = 'tts_sync_wake_pending';
	const POLL_NOT_BEFORE  = 'tts_sync_poll_not_before';
	const REPORTED_VERSION = 'tts_sync_reported_version';

	/**
	 * Every option the plugin may write; uninstall removes exactly these.
	 *
	 * @return string[]
	 */
	public static function all_names() {
		return array(
			self::HUB_URL,
			self::KEY_ID,
			self::SECRET,
			self::ENABLED,
			self::CONNECTION,
			self::LAST_CONTACT,
			self::CATALOG_PROGRESS,
			self::LAST_VERSION,
			self::DB_VERSION,
			self::FLUSH_LOCK,
			self::POLL_LOCK,
			self::WAKE_PENDING,
			self::POLL_NOT_BEFORE,
			self::REPORTED_VERSION,
		);
	}

	/**
	 * Hub base URL without a trailing slash.
	 *
	 * @return string
	 */
	public function hub_url() {
		$url = defined( 'TTS_SYNC_HUB_URL' ) ? (string) TTS_SYNC_HUB_URL : (string) get_option( self::HUB_URL, '' );
		return rtrim( trim( $url ), '/' );
	}

	/**
	 * Key id issued by the hub for this store.
	 *
	 * @return string
	 */
	public function key_id() {
		return trim( defined( 'TTS_SYNC_KEY_ID' ) ? (string) TTS_SYNC_KEY_ID : (string) get_option( self::KEY_ID, '' ) );
	}

	/**
	 * HMAC secret; never rendered back into a form.
	 *
	 * @return string
	 */
	public function secret() {
		return defined( 'TTS_SYNC_SECRET' ) ? (string) TTS_SYNC_SECRET : (string) get_option( self::SECRET, '' );
	}

	/**
	 * Whether a secret is stored (for the settings page, which shows only that fact).
	 *
	 * @return bool
	 */
	public function has_secret() {
		return '' !== $this->secret();
	}

	/**
	 * Whether the credentials come from wp-config.php constants.
	 *
	 * @return bool
	 */
	public function credentials_from_constants() {
		return defined( 'TTS_SYNC_SECRET' ) || defined( 'TTS_SYNC_KEY_ID' ) || defined( 'TTS_SYNC_HUB_URL' );
	}

	/**
	 * Stores a new secret; an empty value keeps the current one (the field is write-only).
	 *
	 * @param string $secret Posted value.
	 * @return bool True when a new secret was stored.
	 */
	public function save_secret( $secret ) {
		$secret = trim( (string) $secret );
		if ( '' === $secret ) {
			return false;
		}
		// Autoload off: the secret is not needed on every page view.
		if ( false === get_option( self::SECRET, false ) ) {
			add_option( self::SECRET, $secret, '', 'no' );
		} else {
			update_option( self::SECRET, $secret, false );
		}
		return true;
	}

	/**
	 * Whether the hub URL, key and secret are all present.
	 *
	 * @return bool
	 */
	public function is_configured() {
		return '' !== $this->hub_url() && '' !== $this->key_id() && '' !== $this->secret();
	}

	/**
	 * Whether the merchant has switched synchronisation on.
	 *
	 * @return bool
	 */
	public function sync_enabled() {
		return 'yes' === get_option( self::ENABLED, 'yes' );
	}

	/**
	 * Whether changes should be captured and sent.
	 *
	 * @return bool
	 */
	public function is_active() {
		return $this->sync_enabled() && $this->is_configured();
	}

	/**
	 * Records the outcome of the last call to the hub, for the settings page.
	 *
	 * @param bool   $ok      Whether the hub answered successfully.
	 * @param string $message What to show the merchant.
	 * @param array  $details Extra facts (store name, TikTok shop).
	 * @return void
	 */
	public function record_contact( $ok, $message, array $details = array() ) {
		$previous = $this->connection();
		$state    = array(
			'ok'      => (bool) $ok,
			'message' => (string) $message,
			'at'      => time(),
			'details' => $details ? $details : ( isset( $previous['details'] ) ? $previous['details'] : array() ),
		);
		update_option( self::CONNECTION, $state, false );
		if ( $ok ) {
			update_option( self::LAST_CONTACT, time(), false );
		}
	}

	/**
	 * Last recorded connection state.
	 *
	 * @return array{ok?:bool,message?:string,at?:int,details?:array}
	 */
	public function connection() {
		$state = get_option( self::CONNECTION, array() );
		return is_array( $state ) ? $state : array();
	}

	/**
	 * Unix time of the last successful call to the hub, or 0.
	 *
	 * @return int
	 */
	public function last_contact() {
		return (int) get_option( self::LAST_CONTACT, 0 );
	}

	/**
	 * Reads an option from the database, not from this request's cache: another request may have
	 * written it a moment ago (locks, wake-up flags).
	 *
	 * @param string $name    Option name.
	 * @param mixed  $default Value when absent.
	 * @return mixed
	 */
	public static function fresh( $name, $default = false ) {
		wp_cache_delete( $name, 'options' );
		wp_cache_delete( 'notoptions', 'options' );
		return get_option( $name, $default );
	}
}
