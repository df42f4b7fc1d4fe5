<?php
/**
 * Wires the plugin's services to WordPress.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync;

use TikTokShopSync\Admin\AdminActions;
use TikTokShopSync\Admin\MissingWooCommerceNotice;
use TikTokShopSync\Admin\ProductStatusColumn;
use TikTokShopSync\ExtensionClient\Commands\CommandFailure;
use TikTokShopSync\ExtensionClient\Commands\CommandPoller;
use TikTokShopSync\ExtensionClient\Commands\CommandProcessor;
use TikTokShopSync\ExtensionClient\Events\EventFactory;
use TikTokShopSync\ExtensionClient\Events\VersionClock;
use TikTokShopSync\ExtensionClient\Http\Transport;
use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\Outbox\OutboxFlusher;
use TikTokShopSync\ExtensionClient\Signer;
use TikTokShopSync\Http\WpTransport;
use TikTokShopSync\Jobs\ImmediateDelivery;
use TikTokShopSync\Jobs\Lock;
use TikTokShopSync\Jobs\Scheduler;
use TikTokShopSync\Orders\OrderCanceller;
use TikTokShopSync\Orders\OrderImporter;
use TikTokShopSync\Orders\OrderLocator;
use TikTokShopSync\Orders\OrderMap;
use TikTokShopSync\Orders\OrderStatusNotifier;
use TikTokShopSync\Rest\Routes;
use TikTokShopSync\Sync\CatalogExport;
use TikTokShopSync\Sync\ChangeCollector;
use TikTokShopSync\Sync\Outbox;
use TikTokShopSync\Sync\ProductSerializer;
use TikTokShopSync\Sync\StoreInfo;
use TikTokShopSync\Sync\WooCatalog;

defined( 'ABSPATH' ) || exit;

/**
 * Builds each service once, on first use, and registers hooks only when WooCommerce is present.
 *
 * The Extension API itself (signing, the client, its errors, events, versions, outbox flushing,
 * command polling and results, wake-up checks) is the shared PHP client in
 * TikTokShopSync\ExtensionClient; this class wires it to WordPress: the HTTP API as its transport,
 * options as its state and poll lock, the plugin's outbox table as its outbox store.
 */
final class Plugin {

	// Seconds per call to the hub: a job may wait; right after a save a hung hub must not hold a PHP worker.
	const FLUSH_TIMEOUT           = 20.0;
	const IMMEDIATE_FLUSH_TIMEOUT = 5.0;

	/**
	 * The instance.
	 *
	 * @var Plugin|null
	 */
	private static $instance = null;

	/**
	 * Built services by name.
	 *
	 * @var array<string,object>
	 */
	private $services = array();

	/**
	 * Transport override (tests).
	 *
	 * @var Transport|null
	 */
	private $transport = null;

	/**
	 * The instance.
	 *
	 * @return Plugin
	 */
	public static function instance() {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}

	/**
	 * Registers the first hooks; the rest wait until WooCommerce has loaded.
	 *
	 * @return void
	 */
	public function boot() {
		add_filter( 'cron_schedules', array( Scheduler::class, 'add_cron_schedule' ) ); // phpcs:ignore
		add_action( 'plugins_loaded', array( $this, 'on_plugins_loaded' ), 20 );
		add_action( 'init', array( $this, 'load_textdomain' ) );
	}

	/**
	 * Loads translations shipped in /languages (wordpress.org language packs load on their own).
	 *
	 * @return void
	 */
	public function load_textdomain() {
		load_plugin_textdomain( 'tiktok-shop-sync', false, dirname( plugin_basename( TTS_SYNC_FILE ) ) . '/languages' );
	}

	/**
	 * Whether WooCommerce is loaded.
	 *
	 * @return bool
	 */
	public static function woocommerce_active() {
		return class_exists( 'WooCommerce' ) && did_action( 'woocommerce_loaded' );
	}

	/**
	 * Registers everything once plugins are loaded.
	 *
	 * @return void
	 */
	public function on_plugins_loaded() {
		if ( ! self::woocommerce_active() ) {
			( new MissingWooCommerceNotice() )->register();
			return;
		}
		Installer::maybe_upgrade();

		add_action( Scheduler::HOOK_FLUSH, array( $this, 'run_flush' ) );
		add_action( Scheduler::HOOK_POLL, array( $this, 'run_scheduled_poll' ) );
		add_action( Scheduler::HOOK_EXPORT, array( $this, 'run_export_page' ) );
		( new Routes( $this ) )->register();
		add_filter( 'woocommerce_payment_gateways', array( Orders\TikTokShopGateway::class, 'register' ) );
		( new Orders\TikTokOrderEmails() )->register();

		if ( $this->options()->is_active() ) {
			$this->immediate_delivery()->register();
			$this->collector()->register();
			$this->order_notifier()->register();
			( new Orders\OrderRefunder( $this->order_locator(), $this->outbox(), $this->scheduler() ) )->register();
			foreach ( StoreInfo::WATCHED_OPTIONS as $option ) {
				add_action( 'update_option_' . $option, array( $this, 'queue_store_update' ) );
			}
			add_action( 'admin_init', array( $this->scheduler(), 'ensure_poll' ) );
			add_action( 'init', array( $this, 'report_version_change' ) );
		}

		if ( is_admin() ) {
			( new AdminActions( $this ) )->register();
			( new ProductStatusColumn( $this ) )->register();
			add_filter( 'woocommerce_get_settings_pages', array( $this, 'add_settings_page' ) );
			add_filter( 'plugin_action_links_' . plugin_basename( TTS_SYNC_FILE ), array( $this, 'action_links' ) );
		}
	}

	/**
	 * Adds the TikTok Shop tab to WooCommerce → Settings.
	 *
	 * @param array $pages Settings pages.
	 * @return array
	 */
	public function add_settings_page( $pages ) {
		$pages[] = new Admin\SettingsTab( $this );
		return $pages;
	}

	/**
	 * "Settings" link on the Plugins screen.
	 *
	 * @param string[] $links Links.
	 * @return string[]
	 */
	public function action_links( $links ) {
		array_unshift( $links, '<a href="' . esc_url( admin_url( 'admin.php?page=wc-settings&tab=tiktok_shop' ) ) . '">' . esc_html__( 'Settings', 'tiktok-shop-sync' ) . '</a>' );
		return $links;
	}

	/**
	 * Job (Action Scheduler): delivers the outbox; the safety net behind the immediate delivery.
	 *
	 * @return array|null Summary, or null when sync is off or another flush runs.
	 */
	public function run_flush() {
		return $this->deliver_now( self::FLUSH_TIMEOUT );
	}

	/**
	 * Delivers every due event now, under the flush lock, and schedules the retry of what is left.
	 *
	 * After releasing the lock it looks again: a request that wrote events while this flush held the
	 * lock gave up on its own delivery, so its events are sent here rather than at the next job.
	 *
	 * @param float $timeout Seconds per call to the hub.
	 * @return array|null Summary, or null when sync is off or another flush holds the lock.
	 */
	public function deliver_now( $timeout = self::IMMEDIATE_FLUSH_TIMEOUT ) {
		if ( ! $this->options()->is_active() ) {
			return null;
		}
		$summary = null;
		for ( $pass = 0; $pass < 3; $pass++ ) {
			$lock = new Lock( Options::FLUSH_LOCK, 120 );
			if ( ! $lock->acquire() ) {
				break;
			}
			try {
				$summary = $this->flusher( (float) $timeout )->flush();
			} finally {
				$lock->release();
			}
			if ( '' !== $summary['error'] || ! $this->outbox()->has_due() ) {
				break;
			}
		}
		$next = $this->outbox()->next_due_at();
		if ( null !== $next ) {
			$this->scheduler()->schedule_flush( max( time(), $next ) );
		}
		return $summary;
	}

	/**
	 * Work done after the response (a wake-up's poll) changed products, e.g. an order reduced stock,
	 * after the request's changes were written at shutdown: write and deliver those too.
	 *
	 * @return void
	 */
	public function after_background_work() {
		if ( ! $this->options()->is_active() ) {
			return;
		}
		if ( $this->collector()->has_changes() ) {
			$this->collector()->write_outbox();
		}
		if ( $this->immediate_delivery()->take() && ! $this->outbox()->backing_off() ) {
			$this->deliver_now();
		}
	}

	/**
	 * Job (Action Scheduler, every minute): a short poll, so a cron worker is never held waiting.
	 *
	 * @return array|null Summary, or null when sync is off or the hub asked to wait.
	 */
	public function run_scheduled_poll() {
		return $this->run_poll( null, true );
	}

	/**
	 * The hub announced a waiting command: remembered before polling, so a poll that is running
	 * right now looks once more when it ends instead of leaving the command to the next cron poll.
	 *
	 * @return void
	 */
	public function note_wake() {
		update_option( Options::WAKE_PENDING, time(), false );
	}

	/**
	 * Polls the hub for commands.
	 *
	 * The hub's request to wait (Retry-After on the commands answer or a 429, or a retry_after field)
	 * is kept by the shared poller in the tts_sync_poll_not_before option; scheduled polls skip until
	 * it ends, a wake-up or the merchant's button polls anyway.
	 *
	 * @param int|null $wait          Long-poll seconds (null: filter tts_sync_poll_wait, default 0).
	 * @param bool     $honour_hint   Skip the poll while the hub's last request to wait has not ended.
	 * @return array|null Summary (with "skipped" saying why nothing was polled), or null when sync is off.
	 */
	public function run_poll( $wait = null, $honour_hint = false ) {
		if ( ! $this->options()->is_active() ) {
			return null;
		}
		$wait    = null === $wait ? (int) apply_filters( 'tts_sync_poll_wait', 0 ) : (int) $wait;
		$summary = null;
		for ( $pass = 0; $pass < 3; $pass++ ) {
			delete_option( Options::WAKE_PENDING );
			$summary = $this->poller()->poll( $wait, (int) apply_filters( 'tts_sync_poll_limit', 10 ), ! $honour_hint );
			if ( '' !== $summary['skipped'] || '' !== $summary['error'] || $summary['retry_after'] > 0 || ! Options::fresh( Options::WAKE_PENDING, false ) ) {
				break;
			}
			$wait = 0;
		}
		// The hub answered: changes held back by an earlier outage can go now.
		if ( '' === $summary['skipped'] && '' === $summary['error'] && $this->outbox()->releaseBackoff() > 0 ) {
			$this->scheduler()->schedule_flush();
		}
		return $summary;
	}

	/**
	 * Job: exports one catalog page.
	 *
	 * @param int $page Page number.
	 * @return array Progress.
	 */
	public function run_export_page( $page = 1 ) {
		return $this->catalog_export()->run_page( (int) $page );
	}

	/**
	 * Queues a store.update (currency or units changed, settings saved).
	 *
	 * @return void
	 */
	public function queue_store_update() {
		if ( ! $this->options()->is_configured() ) {
			return;
		}
		$this->outbox()->add( $this->events()->storeUpdate( $this->store_info()->payload() ), 'store' );
		$this->scheduler()->schedule_flush();
	}

	/**
	 * After an update of the plugin, tells the hub the new version once (store.update): the hub sends
	 * wake-up calls only to versions that answer them.
	 *
	 * @return void
	 */
	public function report_version_change() {
		if ( TTS_SYNC_VERSION === get_option( Options::REPORTED_VERSION ) ) {
			return;
		}
		update_option( Options::REPORTED_VERSION, TTS_SYNC_VERSION, false );
		$this->queue_store_update();
	}

	/**
	 * Replaces the HTTP transport (tests) and forgets services built on the old one.
	 *
	 * @param Transport|null $transport Transport.
	 * @return void
	 */
	public function set_transport( $transport ) {
		$this->transport = $transport;
		$this->reset();
	}

	/**
	 * Forgets the services built on the hub connection (after credentials or the transport change).
	 *
	 * The others stay: the change collector, the delivery and the scheduler hold this request's state
	 * and are the instances WordPress hooks call.
	 *
	 * @return void
	 */
	public function reset() {
		foreach ( array( 'client', 'poller', 'processor' ) as $name ) {
			unset( $this->services[ $name ] );
		}
	}

	/**
	 * Builds a service once.
	 *
	 * @param string   $name    Service name.
	 * @param callable $factory Builds it.
	 * @return object
	 */
	private function get( $name, $factory ) {
		if ( ! isset( $this->services[ $name ] ) ) {
			$this->services[ $name ] = $factory();
		}
		return $this->services[ $name ];
	}

	/**
	 * Options.
	 *
	 * @return Options
	 */
	public function options() {
		return $this->get(
			'options',
			static function () {
				return new Options();
			}
		);
	}

	/**
	 * Hub client with the current credentials.
	 *
	 * @return HubClient
	 */
	public function client() {
		return $this->get(
			'client',
			function () {
				$options = $this->options();
				return new HubClient( $options->hub_url(), new Signer( $options->key_id(), $options->secret() ), $this->transport ? $this->transport : new WpTransport() );
			}
		);
	}

	/**
	 * Scheduler; a flush wanted at once is also delivered right after the request.
	 *
	 * @return Scheduler
	 */
	public function scheduler() {
		return $this->get(
			'scheduler',
			function () {
				$scheduler = new Scheduler();
				$scheduler->on_asap( array( $this->immediate_delivery(), 'request' ) );
				return $scheduler;
			}
		);
	}

	/**
	 * Delivery right after the request.
	 *
	 * @return ImmediateDelivery
	 */
	public function immediate_delivery() {
		return $this->get(
			'immediate_delivery',
			function () {
				return new ImmediateDelivery(
					array( $this, 'deliver_now' ),
					array( $this, 'send_flush_loopback' ),
					function () {
						// Also "hold off" when sync was switched off or the plugin uninstalled in this request.
						return ! $this->options()->is_active() || $this->outbox()->backing_off();
					}
				);
			}
		);
	}

	/**
	 * Asks this site, without waiting for the answer, to flush the outbox in a request of its own.
	 *
	 * Signed with the store's own key, so nobody else can make the site call the hub; WordPress
	 * spawns WP-Cron the same way (blocking off, a very short timeout).
	 *
	 * @return void
	 */
	public function send_flush_loopback() {
		$url     = Routes::flush_url();
		$parts   = wp_parse_url( $url );
		$path    = ( isset( $parts['path'] ) ? $parts['path'] : '/' ) . ( isset( $parts['query'] ) ? '?' . $parts['query'] : '' );
		$options = $this->options();
		$headers = ( new Signer( $options->key_id(), $options->secret() ) )->headers( time(), 'POST', $path, '' );
		wp_remote_post(
			$url,
			array(
				'timeout'   => 0.01,
				'blocking'  => false,
				'headers'   => $headers,
				'body'      => '',
				/** This filter is documented in wp-includes/class-wp-http-streams.php */
				'sslverify' => apply_filters( 'https_local_ssl_verify', false ),
			)
		);
	}

	/**
	 * Outbox.
	 *
	 * @return Outbox
	 */
	public function outbox() {
		return $this->get(
			'outbox',
			static function () {
				global $wpdb;
				return new Outbox( $wpdb );
			}
		);
	}

	/**
	 * Catalog lookups.
	 *
	 * @return WooCatalog
	 */
	public function catalog() {
		return $this->get(
			'catalog',
			static function () {
				return new WooCatalog();
			}
		);
	}

	/**
	 * Event factory.
	 *
	 * @return EventFactory
	 */
	public function events() {
		return $this->get(
			'events',
			static function () {
				return new EventFactory();
			}
		);
	}

	/**
	 * Serializer.
	 *
	 * @return ProductSerializer
	 */
	public function serializer() {
		return $this->get(
			'serializer',
			function () {
				return new ProductSerializer( $this->catalog(), new VersionClock( new OptionState() ) );
			}
		);
	}

	/**
	 * Store facts.
	 *
	 * @return StoreInfo
	 */
	public function store_info() {
		return $this->get(
			'store_info',
			function () {
				return new StoreInfo( $this->catalog() );
			}
		);
	}

	/**
	 * Change collector.
	 *
	 * @return ChangeCollector
	 */
	public function collector() {
		return $this->get(
			'collector',
			function () {
				return new ChangeCollector( $this->outbox(), $this->serializer(), $this->catalog(), $this->events(), $this->scheduler() );
			}
		);
	}

	/**
	 * The shared client's outbox flusher over the plugin's outbox table.
	 *
	 * Built per delivery because its timeout differs: short right after a save, longer in a job.
	 *
	 * @param float $timeout Seconds per call to the hub.
	 * @return OutboxFlusher
	 */
	public function flusher( $timeout = self::FLUSH_TIMEOUT ) {
		return new OutboxFlusher( $this->outbox(), $this->client(), array( $this->options(), 'record_contact' ), (float) $timeout );
	}

	/**
	 * Catalog export.
	 *
	 * @return CatalogExport
	 */
	public function catalog_export() {
		return $this->get(
			'catalog_export',
			function () {
				return new CatalogExport( $this->outbox(), $this->serializer(), $this->catalog(), $this->events(), $this->scheduler(), $this->store_info() );
			}
		);
	}

	/**
	 * Order locator.
	 *
	 * @return OrderLocator
	 */
	public function order_locator() {
		return $this->get(
			'order_locator',
			static function () {
				global $wpdb;
				return new OrderLocator( new OrderMap( $wpdb ) );
			}
		);
	}

	/**
	 * Order status notifier.
	 *
	 * @return OrderStatusNotifier
	 */
	public function order_notifier() {
		return $this->get(
			'order_notifier',
			function () {
				global $wpdb;
				return new OrderStatusNotifier( $this->outbox(), $this->events(), $this->scheduler(), array( new Orders\AstProviders( $wpdb ), 'name' ) );
			}
		);
	}

	/**
	 * The shared client's command processor with the plugin's handlers.
	 *
	 * @return CommandProcessor
	 */
	public function processor() {
		return $this->get(
			'processor',
			function () {
				global $wpdb;
				$importer  = new OrderImporter( new OrderMap( $wpdb ), $this->order_locator() );
				$canceller = new OrderCanceller( $this->order_locator() );
				$export    = $this->catalog_export();
				return ( new CommandProcessor( $this->client(), 'WooCommerce' ) )
					->on( 'order.create', static function ( array $payload ) use ( $importer ) {
						if ( ! isset( $payload['order'] ) || ! is_array( $payload['order'] ) ) {
							throw new CommandFailure( CommandFailure::MISSING_FIELD, 'The order.create command has no "order" object.' );
						}
						return $importer->import( $payload['order'] );
					} )
					->on( 'order.cancel', array( $canceller, 'cancel' ) )
					->on( 'order.refund', array( new Orders\OrderRefunder( $this->order_locator() ), 'refund' ) )
					->on( 'catalog.resend', static function ( array $payload ) use ( $export ) {
						$ids = array_key_exists( 'product_ids', $payload ) ? $payload['product_ids'] : null;
						if ( null === $ids ) {
							$export->start();
						} elseif ( is_array( $ids ) ) {
							$export->queue_products( array_map( 'intval', $ids ) );
						} else {
							throw new CommandFailure( CommandFailure::MISSING_FIELD, 'catalog.resend needs product_ids as a list or null.' );
						}
						return array();
					} );
			}
		);
	}

	/**
	 * The shared client's command poller: options keep the hub's request to wait, an option row is the lock.
	 *
	 * @return CommandPoller
	 */
	public function poller() {
		return $this->get(
			'poller',
			function () {
				return new CommandPoller( $this->client(), $this->processor(), new OptionState(), new Lock( Options::POLL_LOCK, 180 ), array( $this->options(), 'record_contact' ) );
			}
		);
	}
}
