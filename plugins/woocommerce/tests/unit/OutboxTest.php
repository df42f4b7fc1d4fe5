<?php
/**
 * The plugin's outbox table as the shared client's OutboxStore, delivered by the client's flusher.
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;
use TikTokShopSync\ExtensionClient\Events\EventFactory;
use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\HubException;
use TikTokShopSync\ExtensionClient\Outbox\OutboxFlusher;
use TikTokShopSync\ExtensionClient\Signer;
use TikTokShopSync\Sync\Outbox;

class OutboxTest extends TestCase {

	private $db;
	private $now = 1000;
	private $outbox;
	private $events;
	private $transport;
	private $flusher;

	protected function setUp(): void {
		$this->db        = new SqliteWpdb();
		$this->outbox    = new Outbox( $this->db, function () { return $this->now; } );
		$this->events    = new EventFactory();
		$this->transport = new FakeTransport();
		$this->flusher   = new OutboxFlusher( $this->outbox, new HubClient( 'http://hub', new Signer( 'k', 's' ), $this->transport ) );
	}

	public function test_a_newer_event_for_the_same_product_replaces_the_waiting_one_with_a_new_id() {
		$first  = $this->events->productDelete( 88 );
		$second = $this->events->productDelete( 88 );
		$row1   = $this->outbox->add( $first, 'product:88' );
		$row2   = $this->outbox->add( $second, 'product:88' );
		$this->outbox->add( $this->events->productDelete( 89 ), 'product:89' );

		$this->assertSame( $row1, $row2 );
		$this->assertSame( 2, $this->outbox->pending_count() );
		$due = $this->outbox->due( 10 );
		$this->assertSame( $second['id'], $due[0]->eventId );
	}

	public function test_delivery_of_a_replaced_event_does_not_drop_the_newer_one() {
		$old = $this->events->productDelete( 88 );
		$row = $this->outbox->add( $old, 'product:88' );
		$this->outbox->add( $this->events->productDelete( 88 ), 'product:88' );
		$this->outbox->markDelivered( $row, $old['id'] );
		$this->assertSame( 1, $this->outbox->pending_count() );
	}

	public function test_empty_objects_stay_objects_through_the_table() {
		$this->outbox->add( $this->events->productUpsert( array( 'id' => '1', 'attributes' => new stdClass(), 'variants' => array( array( 'id' => '1', 'options' => new stdClass() ) ) ) ) );
		$json = json_encode( $this->outbox->due( 1 )[0]->event );
		$this->assertStringContainsString( '"attributes":{}', $json );
		$this->assertStringContainsString( '"options":{}', $json );
	}

	public function test_event_without_id_or_type_is_refused() {
		$this->expectException( InvalidArgumentException::class );
		$this->outbox->add( array( 'type' => 'store.update' ) );
	}

	public function test_accepted_and_duplicate_events_leave_rejected_ones_stay_with_the_reason() {
		$this->outbox->add( $this->events->productDelete( (string) 1 ) );
		$this->outbox->add( $this->events->productDelete( (string) 2 ) );
		$this->transport->answers[] = static function ( $request ) {
			$events = json_decode( $request['body'], true )['events'];
			return FakeTransport::json( 200, array( 'results' => array( array( 'id' => $events[0]['id'], 'status' => 'duplicate' ), array( 'id' => $events[1]['id'], 'status' => 'rejected', 'errors' => array( 'product_id' => array( 'Must be a non-empty id.' ) ) ) ) ) );
		};
		$summary = $this->flusher->flush();

		$this->assertSame( 1, $summary['delivered'] );
		$this->assertSame( 1, $summary['rejected'] );
		$this->assertSame( 0, $this->outbox->pending_count() );
		$rejected = $this->outbox->recent_rejections();
		$this->assertCount( 1, $rejected );
		$this->assertStringContainsString( 'Must be a non-empty id.', $rejected[0]['last_error'] );
	}

	public function test_unreachable_hub_keeps_every_event_and_backs_off() {
		for ( $i = 1; $i <= 3; $i++ ) {
			$this->outbox->add( $this->events->productDelete( (string) $i ) );
		}
		$this->transport->answers[] = new HubException( 'The hub could not be reached: Connection refused', 0, 'unreachable' );
		$summary = $this->flusher->flush();

		$this->assertSame( 3, $summary['deferred'] );
		$this->assertStringContainsString( 'Connection refused', $summary['error'] );
		$this->assertSame( 3, $this->outbox->pending_count() );
		$this->assertSame( array(), $this->outbox->due( 10 ), 'nothing is due during the backoff' );
		$this->assertSame( 1030, $this->outbox->next_due_at() );

		$this->now = 1030;
		$this->transport->answers[] = FakeTransport::results( 'accepted' );
		$this->assertSame( 3, $this->flusher->flush()['delivered'] );
		$this->assertSame( 0, $this->outbox->pending_count() );
	}

	public function test_release_backoff_makes_waiting_events_due_at_once() {
		$this->outbox->add( $this->events->productDelete( (string) 1 ) );
		$this->outbox->markRetry( array( 1 ), 'down', 600 );
		$this->assertSame( array(), $this->outbox->due( 10 ) );
		$this->assertSame( 1, $this->outbox->releaseBackoff() );
		$this->assertCount( 1, $this->outbox->due( 10 ) );
	}

	public function test_a_batch_the_hub_refuses_whole_is_split_to_isolate_the_bad_event() {
		$this->outbox->add( $this->events->productDelete( (string) 1 ) );
		$this->outbox->add( $this->events->productDelete( (string) 2 ) );
		$this->transport->answers[] = FakeTransport::json( 422, array( 'error' => array( 'code' => 'validation_failed', 'message' => 'events[1] is malformed' ) ) );
		$this->transport->answers[] = FakeTransport::results( 'accepted' );
		$this->transport->answers[] = FakeTransport::json( 422, array( 'error' => array( 'code' => 'validation_failed', 'message' => 'events[0] is malformed' ) ) );
		$summary = $this->flusher->flush();
		$this->assertSame( 1, $summary['delivered'] );
		$this->assertSame( 1, $summary['rejected'] );
		$this->assertSame( 0, $this->outbox->pending_count() );
	}

	public function test_backoff_doubles_up_to_an_hour_and_honours_retry_after() {
		$this->assertSame( 30, OutboxFlusher::backoff( 0 ) );
		$this->assertSame( 60, OutboxFlusher::backoff( 1 ) );
		$this->assertSame( 3600, OutboxFlusher::backoff( 12 ) );
		$this->assertSame( 300, OutboxFlusher::backoff( 0, 300 ) );
	}
}
