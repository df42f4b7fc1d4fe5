<?php
/**
 * When changes reach the hub, and what happens while it cannot be reached.
 *
 * @package TikTokShopSync\Tests
 */

/**
 * Delivery right after the request, Action Scheduler as the safety net with a working backoff, and
 * polls that never hold a cron worker.
 */
class DeliveryTest extends IntegrationTestCase {

	protected function tearDown(): void {
		remove_all_filters( 'tts_sync_delivery_mode' );
		LiveHub::get()->start();
		parent::tearDown();
	}

	/**
	 * Pending (not running) flush actions, with their times.
	 *
	 * @return int[] Scheduled Unix times.
	 */
	private function pending_flushes() {
		return array_values( array_column( as_get_scheduled_actions( array( 'hook' => 'tts_sync_flush_outbox', 'status' => ActionScheduler_Store::STATUS_PENDING, 'per_page' => -1 ), ARRAY_A ), 'timestamp' ) );
	}

	/**
	 * Lets time pass for the outbox and the job queue: everything scheduled moves $seconds earlier.
	 *
	 * @param int $seconds Seconds.
	 */
	private function elapse( $seconds ) {
		global $wpdb;
		$wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->prefix}tts_outbox SET next_attempt_at = next_attempt_at - %d WHERE next_attempt_at > 0", $seconds ) );
		$actions = wc_fake_as_store();
		foreach ( $actions as $id => $action ) {
			$actions[ $id ]['timestamp'] -= $seconds;
		}
		wc_fake_as_store( $actions );
	}

	public function test_after_an_outage_the_flush_job_schedules_its_own_retry_with_backoff() {
		LiveHub::get()->stop();
		add_filter( 'tts_sync_delivery_mode', static function () { return 'off'; } );
		$this->make_simple_product( array( 'regular_price' => '3.10' ) );
		$this->end_request();
		$this->assertCount( 1, $this->pending_flushes(), 'a save schedules one flush' );

		// Action Scheduler runs the flush while the hub is down. Inside it, as_has_scheduled_action()
		// counts the running flush itself; the retry must be scheduled all the same.
		$start = time();
		$this->assertSame( array( 'tts_sync_flush_outbox' ), wc_fake_as_run_due() );
		$retries = $this->pending_flushes();
		$this->assertCount( 1, $retries, 'the failed flush scheduled its retry' );
		$this->assertGreaterThanOrEqual( $start + 30, $retries[0], 'first backoff: 30 s' );
		$this->assertLessThanOrEqual( time() + 31, $retries[0] );

		// Second failure: the backoff doubles.
		$this->elapse( 30 );
		$start = time();
		$this->assertSame( array( 'tts_sync_flush_outbox' ), wc_fake_as_run_due() );
		$again = $this->pending_flushes();
		$this->assertCount( 1, $again );
		$this->assertGreaterThanOrEqual( $start + 60, $again[0], 'second backoff: 60 s' );

		// The hub is back; no command poll is needed: the scheduled retry delivers the backlog.
		LiveHub::get()->start();
		$this->elapse( 60 );
		$this->assertSame( array( 'tts_sync_flush_outbox' ), wc_fake_as_run_due() );
		$this->assertSame( 0, $this->outbox_count() );
		$answered = $this->answered( 'inventory.update' );
		$this->assertSame( '3.10', end( $answered )['event']['items'][0]['price'] );
		$this->assertSame( array(), $this->pending_flushes(), 'nothing left to retry' );
	}

	public function test_the_scheduled_poll_does_not_hold_a_worker_and_a_flush_runs_before_it() {
		\TikTokShopSync\Plugin::instance()->scheduler()->ensure_poll();
		add_filter( 'tts_sync_delivery_mode', static function () { return 'off'; } );
		$this->make_simple_product();
		$this->end_request();

		$ran = wc_fake_as_run_due();
		$this->assertSame( array( 'tts_sync_flush_outbox', 'tts_sync_poll_commands' ), $ran, 'the flush is claimed before the poll' );
		$polls = array_values(
			array_filter(
				$this->http->exchanges,
				static function ( $exchange ) {
					return false !== strpos( $exchange['url'], '/api/v1/commands?' );
				}
			)
		);
		$this->assertNotEmpty( $polls );
		$this->assertStringContainsString( 'wait=0&', $polls[0]['url'], 'the cron poll asks the hub not to hold it' );
	}

	/**
	 * Serves a REST request the way WordPress does for a real one: REQUEST_URI as on the wire, then the
	 * response, then the end of the request (shutdown), where the route's deferred work runs.
	 *
	 * @param string $url     Absolute URL.
	 * @param array  $headers Request headers.
	 * @return WP_REST_Response|WP_Error
	 */
	private function serve_rest( $url, array $headers ) {
		$parts                  = wp_parse_url( $url );
		$_SERVER['REQUEST_URI'] = $parts['path'] . ( isset( $parts['query'] ) ? '?' . $parts['query'] : '' );
		parse_str( isset( $parts['query'] ) ? $parts['query'] : '', $query );
		$request = new WP_REST_Request( 'POST', $query['rest_route'] );
		foreach ( $headers as $name => $value ) {
			$request->set_header( $name, $value );
		}
		$response = rest_get_server()->dispatch( $request );
		$this->end_request();
		$_SERVER['REQUEST_URI'] = '/wp-admin/';
		return $response;
	}

	/**
	 * Headers the hub sends with a wake-up call, computed here from the documented scheme.
	 *
	 * @param string $path_with_query Path and query of the wake-up address.
	 * @param string $secret          Secret to sign with.
	 * @return array
	 */
	private function hub_headers( $path_with_query, $secret ) {
		$timestamp = (string) time();
		return array(
			'X-Hub-Key'       => LiveHub::get()->key_id,
			'X-Hub-Timestamp' => $timestamp,
			'X-Hub-Signature' => 'sha256=' . hash_hmac( 'sha256', $timestamp . "\nPOST\n" . $path_with_query . "\n", $secret ),
		);
	}

	public function test_the_hubs_signed_wake_up_call_makes_the_store_poll_at_once() {
		$product   = $this->make_simple_product( array( 'stock_quantity' => 4 ) );
		$this->end_request();
		$tiktok_id = 'T-WAKE-' . wp_rand();
		LiveHub::get()->create_command( 'order.create', array( 'order' => $this->order_payload( $tiktok_id, array( array( 'product_id' => (string) $product->get_id(), 'variant_id' => (string) $product->get_id(), 'quantity' => 1, 'unit_price' => '9.99' ) ) ) ) );
		// The address the hub derives from the base_url in store.update (docs/extension-api.md).
		$store = Plugin_Access::plugin()->store_info()->payload();
		$url   = $store['base_url'] . '?rest_route=/tiktok-shop-sync/v1/wake';
		$path  = '/?rest_route=/tiktok-shop-sync/v1/wake';

		// Not signed with this store's secret: refused, nothing polled.
		$refused = $this->serve_rest( $url, $this->hub_headers( $path, 'not-the-secret' ) );
		$this->assertSame( 401, $refused->get_status() );
		$this->assertSame( 'bad_signature', $refused->get_data()['code'] );
		$this->assertSame( array(), $this->orders_for( $tiktok_id ) );
		$stale          = $this->hub_headers( $path, LiveHub::get()->secret );
		$stale['X-Hub-Timestamp'] = (string) ( time() - 600 );
		$this->assertSame( 401, $this->serve_rest( $url, $stale )->get_status() );

		$woken = $this->serve_rest( $url, $this->hub_headers( $path, LiveHub::get()->secret ) );
		$this->assertSame( 202, $woken->get_status() );
		$this->assertCount( 1, $this->orders_for( $tiktok_id ), 'the store polled after answering and created the order' );
		$results = $this->posted_results();
		$this->assertSame( 'done', end( $results )['body']['status'] );
		// The order reduced stock after the response: that change is written and delivered too.
		$this->assertSame( 0, $this->outbox_count() );
		$items = array_merge( array(), ...array_map( static function ( $row ) { return $row['event']['items']; }, $this->answered( 'inventory.update' ) ) );
		$this->assertContains( 3, array_column( $items, 'quantity' ) );
	}

	public function test_without_finish_request_the_site_asks_itself_to_deliver_over_a_signed_loopback() {
		$sent = array();
		$catch = static function ( $pre, $args, $url ) use ( &$sent ) {
			if ( false !== strpos( $url, 'tiktok-shop-sync/v1/flush' ) ) {
				$sent[] = array( 'url' => $url, 'args' => $args );
				return array( 'headers' => array(), 'body' => '', 'response' => array( 'code' => 202, 'message' => 'Accepted' ), 'cookies' => array(), 'filename' => null );
			}
			return $pre;
		};
		add_filter( 'pre_http_request', $catch, 5, 3 );
		add_filter( 'tts_sync_delivery_mode', static function () { return 'loopback'; } );
		$this->make_simple_product( array( 'regular_price' => '6.66' ) );
		$this->end_request();
		remove_filter( 'pre_http_request', $catch, 5 );

		$this->assertCount( 1, $sent, 'one loopback request at the end of the request' );
		$this->assertFalse( $sent[0]['args']['blocking'], 'the request does not wait for it' );
		$this->assertSame( 2, $this->outbox_count(), 'nothing delivered yet' );
		// The site receives its own request: a signed call to the flush route delivers the outbox.
		$response = $this->serve_rest( $sent[0]['url'], $sent[0]['args']['headers'] );
		$this->assertSame( 202, $response->get_status() );
		$this->assertSame( 0, $this->outbox_count() );
		$answered = $this->answered( 'inventory.update' );
		$this->assertSame( '6.66', end( $answered )['event']['items'][0]['price'] );
		// Replayed with a changed signature, it is refused.
		$forged                    = $sent[0]['args']['headers'];
		$forged['X-Hub-Signature'] = 'sha256=' . str_repeat( '0', 64 );
		$this->assertSame( 401, $this->serve_rest( $sent[0]['url'], $forged )->get_status() );
	}

	public function test_after_an_update_the_hub_learns_the_new_version_once() {
		update_option( 'tts_sync_reported_version', '0.1.0' );
		Plugin_Access::plugin()->report_version_change();
		Plugin_Access::plugin()->report_version_change();
		$this->end_request();
		$updates = $this->answered( 'store.update' );
		$this->assertCount( 1, $updates );
		$this->assertSame( TTS_SYNC_VERSION, $updates[0]['event']['store']['extension_version'] );
		$this->assertSame( 'accepted', $updates[0]['result']['status'] );
	}
}
