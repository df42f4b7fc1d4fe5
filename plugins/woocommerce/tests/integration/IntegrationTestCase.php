<?php
/**
 * Base class of the integration tests.
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Plugin;

/**
 * Every test runs inside the same real WordPress, against the same live hub; each starts with an
 * empty outbox and job queue and a fresh recording of the HTTP exchanges.
 */
abstract class IntegrationTestCase extends TestCase {

	/** @var RecordingTransport */
	protected $http;

	protected function setUp(): void {
		global $wpdb;
		parent::setUp();
		$wpdb->query( "DELETE FROM {$wpdb->prefix}tts_outbox" );
		delete_option( 'wc_fake_action_scheduler' );
		delete_option( 'tts_sync_flush_lock' );
		delete_option( 'tts_sync_poll_lock' );
		LiveHub::get()->start();
		$this->http = new RecordingTransport();
		Plugin::instance()->set_transport( $this->http );
	}

	/**
	 * Ends the current "request": the plugin writes what it collected to its outbox.
	 */
	protected function end_request() {
		do_action( 'shutdown' );
	}

	/**
	 * Runs due background jobs, as Action Scheduler's queue runner does every minute.
	 *
	 * @param int $rounds Runner passes.
	 * @return string[] Hooks that ran.
	 */
	protected function run_jobs( $rounds = 3 ) {
		$ran = array();
		for ( $i = 0; $i < $rounds; $i++ ) {
			$ran = array_merge( $ran, wc_fake_as_run_due() );
			$this->end_request();
		}
		return $ran;
	}

	/**
	 * Events the hub received in this test, optionally of one type.
	 *
	 * @param string|null $type Event type.
	 * @return array[]
	 */
	protected function delivered( $type = null ) {
		return array_values(
			array_filter(
				$this->http->events(),
				static function ( $row ) use ( $type ) {
					return null === $type || $row['event']['type'] === $type;
				}
			)
		);
	}

	/**
	 * Events the hub answered for (accepted, duplicate or rejected), optionally of one type.
	 *
	 * @param string|null $type Event type.
	 * @return array[]
	 */
	protected function answered( $type = null ) {
		return array_values(
			array_filter(
				$this->delivered( $type ),
				static function ( $row ) {
					return null !== $row['result'];
				}
			)
		);
	}

	protected function outbox_count( $state = 'pending' ) {
		global $wpdb;
		return (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->prefix}tts_outbox WHERE state = %s", $state ) );
	}

	protected function make_simple_product( array $props = array() ) {
		$product = new WC_Product_Simple();
		$product->set_props(
			array_merge(
				array(
					'name'           => 'Cotton Socks',
					'status'         => 'publish',
					'regular_price'  => '9.99',
					'sku'            => 'SOCK-' . wp_generate_password( 6, false ),
					'manage_stock'   => true,
					'stock_quantity' => 50,
					'description'    => '<p>Soft socks.</p>',
					'weight'         => '0.25',
					'length'         => '20',
					'width'          => '15',
					'height'         => '5',
				),
				$props
			)
		);
		$product->save();
		return $product;
	}

	protected function order_payload( $tiktok_id, array $lines, array $overrides = array() ) {
		return array_replace_recursive(
			array(
				'tiktok_order_id'  => $tiktok_id,
				'status'           => 'AWAITING_SHIPMENT',
				'currency'         => 'GBP',
				'created_at'       => '2026-11-27T10:00:00Z',
				'buyer'            => array( 'name' => 'Jane Buyer', 'email' => 'jane@example.com', 'phone' => '+447700900123' ),
				'shipping_address' => array( 'name' => 'Jane Buyer', 'line1' => '1 High Street', 'line2' => 'Flat 2', 'city' => 'London', 'region' => 'Greater London', 'postal_code' => 'SW1A 1AA', 'country_code' => 'GB', 'phone' => '+447700900123' ),
				'lines'            => $lines,
				'totals'           => array( 'subtotal' => '19.98', 'shipping' => '2.50', 'tax' => '3.75', 'discount' => '0.00', 'total' => '22.48' ),
				'payment_method'   => 'Card',
				'note'             => 'TikTok Shop order ' . $tiktok_id,
			),
			$overrides
		);
	}

	protected function orders_for( $tiktok_id ) {
		return wc_get_orders( array( 'limit' => -1 ) + \TikTokShopSync\Orders\OrderLocator::query( $tiktok_id ) );
	}

	/**
	 * Results the store posted for commands, with the hub's HTTP status.
	 *
	 * @return array[] Each: command_id, body, status.
	 */
	protected function posted_results() {
		$out = array();
		foreach ( $this->http->exchanges as $exchange ) {
			if ( preg_match( '#/api/v1/commands/([^/]+)/result$#', $exchange['url'], $m ) ) {
				$out[] = array( 'command_id' => rawurldecode( $m[1] ), 'body' => json_decode( $exchange['body'], true ), 'status' => $exchange['response']['status'] ?? 0 );
			}
		}
		return $out;
	}
}
