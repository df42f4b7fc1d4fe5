<?php
/**
 * The settings tab's buttons.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Admin;

use TikTokShopSync\ExtensionClient\HubException;
use TikTokShopSync\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * Test connection (ping), Send whole catalog, Check for orders now: admin-post handlers that check
 * the capability and nonce, do the work, and return to the tab with a notice saying what happened.
 */
class AdminActions {

	const NOTICE_TRANSIENT = 'tts_sync_admin_notice_';

	/**
	 * Plugin.
	 *
	 * @var Plugin
	 */
	private $plugin;

	/**
	 * Constructor.
	 *
	 * @param Plugin $plugin Plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/**
	 * Button labels by action.
	 *
	 * @return array<string,string>
	 */
	public static function buttons() {
		return array(
			'tts_sync_test_connection' => __( 'Test connection', 'tiktok-shop-sync' ),
			'tts_sync_send_catalog'    => __( 'Send whole catalog', 'tiktok-shop-sync' ),
			'tts_sync_poll_now'        => __( 'Check for TikTok orders now', 'tiktok-shop-sync' ),
		);
	}

	/**
	 * Nonce-protected URL of an action.
	 *
	 * @param string $action Action name.
	 * @return string
	 */
	public static function url( $action ) {
		return wp_nonce_url( admin_url( 'admin-post.php?action=' . $action ), $action );
	}

	/**
	 * Registers the handlers and the notice.
	 *
	 * @return void
	 */
	public function register() {
		add_action( 'admin_post_tts_sync_test_connection', array( $this, 'handle_test_connection' ) );
		add_action( 'admin_post_tts_sync_send_catalog', array( $this, 'handle_send_catalog' ) );
		add_action( 'admin_post_tts_sync_poll_now', array( $this, 'handle_poll_now' ) );
		add_action( 'admin_notices', array( $this, 'render_notice' ) );
	}

	/**
	 * Pings the hub and records what it said.
	 *
	 * @return array{ok:bool,message:string}
	 */
	public function test_connection() {
		$options = $this->plugin->options();
		if ( ! $options->is_configured() ) {
			return array(
				'ok'      => false,
				'message' => __( 'Enter the hub URL, key and secret first.', 'tiktok-shop-sync' ),
			);
		}
		try {
			$answer = $this->plugin->client()->ping();
		} catch ( HubException $e ) {
			$options->record_contact( false, $e->getMessage() );
			return array(
				'ok'      => false,
				'message' => $e->getMessage(),
			);
		}
		$store   = isset( $answer['store_name'] ) ? (string) $answer['store_name'] : '';
		$tiktok  = isset( $answer['tiktok'] ) && is_array( $answer['tiktok'] ) ? $answer['tiktok'] : array();
		$message = sprintf(
			/* translators: %s: store name on the hub. */
			__( 'Connected to the hub as "%s".', 'tiktok-shop-sync' ),
			$store
		);
		if ( empty( $tiktok['connected'] ) ) {
			$message .= ' ' . __( 'The TikTok shop is not connected on the hub yet.', 'tiktok-shop-sync' );
		}
		$options->record_contact(
			true,
			$message,
			array(
				'store_name' => $store,
				'tiktok'     => $tiktok,
			)
		);
		$this->plugin->queue_store_update();
		$this->plugin->scheduler()->ensure_poll();
		return array(
			'ok'      => true,
			'message' => $message,
		);
	}

	/**
	 * Test connection button.
	 *
	 * @return void
	 */
	public function handle_test_connection() {
		$this->guard( 'tts_sync_test_connection' );
		$this->finish( $this->test_connection() );
	}

	/**
	 * Send whole catalog button.
	 *
	 * @return void
	 */
	public function handle_send_catalog() {
		$this->guard( 'tts_sync_send_catalog' );
		if ( ! $this->plugin->options()->is_active() ) {
			$this->finish(
				array(
					'ok'      => false,
					'message' => __( 'Switch synchronisation on and enter the hub credentials first.', 'tiktok-shop-sync' ),
				)
			);
		}
		$progress = $this->plugin->catalog_export()->start();
		$this->finish(
			array(
				'ok'      => true,
				'message' => sprintf(
					/* translators: %d: number of products. */
					__( 'Sending %d products in the background; the status below shows the progress.', 'tiktok-shop-sync' ),
					$progress['total']
				),
			)
		);
	}

	/**
	 * Check for orders now button.
	 *
	 * @return void
	 */
	public function handle_poll_now() {
		$this->guard( 'tts_sync_poll_now' );
		$summary = $this->plugin->run_poll( 0 );
		if ( null === $summary ) {
			$this->finish(
				array(
					'ok'      => false,
					'message' => __( 'Switch synchronisation on and enter the hub credentials first.', 'tiktok-shop-sync' ),
				)
			);
		}
		// Not polled: another poll is running (its orders arrive all the same).
		$problem = '' !== $summary['error'] ? $summary['error'] : $summary['skipped'];
		$this->finish(
			array(
				'ok'      => '' === $problem,
				'message' => '' !== $problem ? $problem : sprintf(
					/* translators: 1: commands received, 2: done, 3: failed. */
					__( '%1$d commands received: %2$d done, %3$d failed.', 'tiktok-shop-sync' ),
					$summary['received'],
					$summary['done'],
					$summary['failed']
				),
			)
		);
	}

	/**
	 * Shows the outcome of the last button press once.
	 *
	 * @return void
	 */
	public function render_notice() {
		$key    = self::NOTICE_TRANSIENT . get_current_user_id();
		$notice = get_transient( $key );
		if ( ! is_array( $notice ) ) {
			return;
		}
		delete_transient( $key );
		printf(
			'<div class="notice notice-%1$s is-dismissible"><p>%2$s</p></div>',
			$notice['ok'] ? 'success' : 'error',
			esc_html( $notice['message'] )
		);
	}

	/**
	 * Checks the capability and nonce.
	 *
	 * @param string $action Action name.
	 * @return void
	 */
	private function guard( $action ) {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			wp_die( esc_html__( 'You are not allowed to manage TikTok Shop Sync.', 'tiktok-shop-sync' ), 403 );
		}
		check_admin_referer( $action );
	}

	/**
	 * Stores the notice and returns to the settings tab.
	 *
	 * @param array $notice ok and message.
	 * @return void
	 */
	private function finish( array $notice ) {
		set_transient( self::NOTICE_TRANSIENT . get_current_user_id(), $notice, 60 );
		wp_safe_redirect( admin_url( 'admin.php?page=wc-settings&tab=tiktok_shop' ) );
		exit;
	}
}
