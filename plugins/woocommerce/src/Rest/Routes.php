<?php
/**
 * The plugin's two REST routes: the hub's wake-up call and the store's own loopback flush.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Rest;

use TikTokShopSync\ExtensionClient\Signer;
use TikTokShopSync\ExtensionClient\Wake\WakeRejected;
use TikTokShopSync\ExtensionClient\Wake\WakeVerifier;
use TikTokShopSync\Jobs\ImmediateDelivery;
use TikTokShopSync\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * POST tiktok-shop-sync/v1/wake and POST tiktok-shop-sync/v1/flush, both content-free and signed with
 * the store's key (see docs/extension-api.md, "Wake-up").
 *
 * - wake: the hub says a command is waiting. The store answers 202 at once and polls the hub
 *   (wait=0) after the response, so a TikTok order becomes a store order in seconds instead of at
 *   the next cron poll. Nothing in the request is trusted but its signature: the commands themselves
 *   are fetched from the hub the usual way.
 * - flush: the store's own non-blocking loopback on servers that cannot finish a response early.
 *
 * A bad or missing signature gets a 401 naming the failed check and does nothing. The check is the
 * shared client's WakeVerifier (key id, ±300 s, HMAC over the path as received, body ≤ 1 KB).
 */
class Routes {

	const REST_NAMESPACE = 'tiktok-shop-sync/v1';
	const WAKE_ROUTE     = '/wake';
	const FLUSH_ROUTE    = '/flush';

	/**
	 * The plugin.
	 *
	 * @var Plugin
	 */
	private $plugin;

	/**
	 * What to do after the response (run in shutdown).
	 *
	 * @var callable|null
	 */
	private $after_response = null;

	/**
	 * Constructor.
	 *
	 * @param Plugin $plugin The plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/**
	 * Registers the routes on rest_api_init.
	 *
	 * @return void
	 */
	public function register() {
		add_action( 'rest_api_init', array( $this, 'register_routes' ) );
		add_action( 'shutdown', array( $this, 'run_after_response' ), 1001 );
	}

	/**
	 * The loopback flush URL.
	 *
	 * @return string
	 */
	public static function flush_url() {
		return (string) rest_url( self::REST_NAMESPACE . self::FLUSH_ROUTE );
	}

	/**
	 * Registers both routes.
	 *
	 * @return void
	 */
	public function register_routes() {
		foreach ( array(
			self::WAKE_ROUTE  => 'wake',
			self::FLUSH_ROUTE => 'flush',
		) as $route => $method ) {
			register_rest_route(
				self::REST_NAMESPACE,
				$route,
				array(
					'methods'             => 'POST',
					'callback'            => array( $this, $method ),
					'permission_callback' => array( $this, 'check_signature' ),
				)
			);
		}
	}

	/**
	 * Permission check: the request is signed with this store's key.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return true|\WP_Error
	 */
	public function check_signature( $request ) {
		$options = $this->plugin->options();
		if ( ! $options->is_active() ) {
			return new \WP_Error( 'sync_off', 'TikTok Shop Sync is switched off or not connected in this store.', array( 'status' => 409 ) );
		}
		$headers = array();
		foreach ( array( 'x_hub_key', 'x_hub_timestamp', 'x_hub_signature' ) as $name ) {
			$value = $request->get_header( $name );
			if ( null !== $value ) {
				$headers[ str_replace( '_', '-', $name ) ] = (string) $value;
			}
		}
		$path = isset( $_SERVER['REQUEST_URI'] ) ? (string) wp_unslash( $_SERVER['REQUEST_URI'] ) : ''; // phpcs:ignore
		try {
			( new WakeVerifier( new Signer( $options->key_id(), $options->secret() ) ) )->verify( $headers, $request->get_method(), $path, (string) $request->get_body() );
		} catch ( WakeRejected $e ) {
			$code = $e->errorCode();
			return new \WP_Error( $code, 'The request is not signed with this store\'s TikTok Shop Sync key (' . $code . ').', array( 'status' => 401 ) );
		}
		return true;
	}

	/**
	 * The hub has a command waiting: poll it once the response is sent.
	 *
	 * @return \WP_REST_Response
	 */
	public function wake() {
		ignore_user_abort( true );
		$this->plugin->note_wake();
		$plugin               = $this->plugin;
		$this->after_response = static function () use ( $plugin ) {
			$plugin->run_poll( 0 );
		};
		return new \WP_REST_Response( array( 'status' => 'polling' ), 202 );
	}

	/**
	 * The store's own loopback: flush the outbox.
	 *
	 * @return \WP_REST_Response
	 */
	public function flush() {
		ignore_user_abort( true );
		$plugin               = $this->plugin;
		$this->after_response = static function () use ( $plugin ) {
			$plugin->deliver_now();
		};
		return new \WP_REST_Response( array( 'status' => 'flushing' ), 202 );
	}

	/**
	 * Runs the work a route deferred until its response was sent.
	 *
	 * @return void
	 */
	public function run_after_response() {
		if ( null === $this->after_response ) {
			return;
		}
		$work                 = $this->after_response;
		$this->after_response = null;
		ImmediateDelivery::finish_response();
		call_user_func( $work );
		$this->plugin->after_background_work();
	}
}
