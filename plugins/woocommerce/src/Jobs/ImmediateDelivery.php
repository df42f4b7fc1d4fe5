<?php
/**
 * Delivers the outbox right after the request that filled it.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Jobs;

defined( 'ABSPATH' ) || exit;

/**
 * Sends a request's changes to the hub once the request is over, without slowing it down.
 *
 * Action Scheduler alone runs a flush from WP-Cron about once a minute (or from the admin's async
 * runner at most once per 60 s), so a price change reached TikTok after 15–75 s. Instead, at the very
 * end of a request that wrote to the outbox:
 * - under PHP-FPM or LiteSpeed the response is finished first (fastcgi_finish_request() /
 *   litespeed_finish_request()), then the outbox is flushed in the same process;
 * - on the command line (WP-CLI, system cron, scripts) there is no visitor waiting: it is flushed there;
 * - elsewhere (mod_php, PHP's built-in server) a non-blocking, signed loopback request asks the site
 *   to flush in a request of its own, the way WordPress itself spawns WP-Cron.
 * The Action Scheduler flush scheduled with every change stays as the safety net: if the immediate
 * attempt is lost or the hub is down, the outbox is delivered by it, with backoff.
 */
class ImmediateDelivery {

	const MODE_AFTER_RESPONSE = 'after_response';
	const MODE_INLINE         = 'inline';
	const MODE_LOOPBACK       = 'loopback';
	const MODE_OFF            = 'off';

	/**
	 * Whether this request wrote events that should go now.
	 *
	 * @var bool
	 */
	private $wanted = false;

	/**
	 * Flushes the outbox in this process.
	 *
	 * @var callable
	 */
	private $flush;

	/**
	 * Sends the non-blocking loopback request.
	 *
	 * @var callable
	 */
	private $loopback;

	/**
	 * Whether the hub is known to be unreachable (the outbox is backing off): then nothing is tried now.
	 *
	 * @var callable
	 */
	private $backing_off;

	/**
	 * Constructor.
	 *
	 * @param callable $flush       Flushes the outbox now.
	 * @param callable $loopback    Asks the site to flush in a request of its own.
	 * @param callable $backing_off Returns true while nothing should be tried now (hub outage, sync off).
	 */
	public function __construct( $flush, $loopback, $backing_off ) {
		$this->flush       = $flush;
		$this->loopback    = $loopback;
		$this->backing_off = $backing_off;
	}

	/**
	 * Registers the end-of-request hook.
	 *
	 * Priority 1000 on shutdown: after the change collector wrote the outbox (5), after WordPress
	 * flushed the output buffers (1) and WooCommerce synced variable products (10).
	 *
	 * @return void
	 */
	public function register() {
		add_action( 'shutdown', array( $this, 'on_shutdown' ), 1000 );
	}

	/**
	 * Notes that this request put events in the outbox.
	 *
	 * @return void
	 */
	public function request() {
		$this->wanted = true;
	}

	/**
	 * Whether a delivery was requested and not yet started; clears the request.
	 *
	 * @return bool
	 */
	public function take() {
		$wanted       = $this->wanted;
		$this->wanted = false;
		return $wanted;
	}

	/**
	 * How this server can deliver after the response (filter tts_sync_delivery_mode).
	 *
	 * @return string One of the MODE_* constants.
	 */
	public static function mode() {
		if ( 'cli' === PHP_SAPI ) {
			$mode = self::MODE_INLINE;
		} elseif ( function_exists( 'fastcgi_finish_request' ) || function_exists( 'litespeed_finish_request' ) ) {
			$mode = self::MODE_AFTER_RESPONSE;
		} else {
			$mode = self::MODE_LOOPBACK;
		}
		return (string) apply_filters( 'tts_sync_delivery_mode', $mode );
	}

	/**
	 * End of the request: delivers what it wrote.
	 *
	 * @return string The mode used, or '' when nothing was done.
	 */
	public function on_shutdown() {
		if ( ! $this->wanted ) {
			return '';
		}
		$this->wanted = false;
		if ( call_user_func( $this->backing_off ) ) {
			return '';
		}
		$mode = self::mode();
		switch ( $mode ) {
			case self::MODE_AFTER_RESPONSE:
				self::finish_response();
				call_user_func( $this->flush );
				break;
			case self::MODE_INLINE:
				call_user_func( $this->flush );
				break;
			case self::MODE_LOOPBACK:
				call_user_func( $this->loopback );
				break;
			default:
				return '';
		}
		return $mode;
	}

	/**
	 * Sends the response to the visitor and carries on in the background.
	 *
	 * @return void
	 */
	public static function finish_response() {
		ignore_user_abort( true );
		if ( function_exists( 'fastcgi_finish_request' ) ) {
			fastcgi_finish_request();
		} elseif ( function_exists( 'litespeed_finish_request' ) ) {
			litespeed_finish_request();
		}
	}
}
