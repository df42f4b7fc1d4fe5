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
}
