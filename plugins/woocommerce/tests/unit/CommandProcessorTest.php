<?php
/**
 * Command dispatch and results.
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Commands\CommandDeferred;
use TikTokShopSync\Commands\CommandFailure;
use TikTokShopSync\Commands\CommandPoller;
use TikTokShopSync\Commands\CommandProcessor;
use TikTokShopSync\Http\HubClient;
use TikTokShopSync\Http\Signer;

class CommandProcessorTest extends TestCase {

	private $transport;
	private $client;
	private $processor;

	protected function setUp(): void {
		$this->transport = new FakeTransport();
		$this->client    = new HubClient( 'http://hub', new Signer( 'k', 's' ), $this->transport );
		$this->processor = new CommandProcessor( $this->client );
	}

	private function result_body( $index = 0 ) {
		return json_decode( $this->transport->requests[ $index ]['body'], true );
	}

	public function test_done_result_carries_the_order_number() {
		$seen = null;
		$this->processor->on( 'order.create', function ( $payload ) use ( &$seen ) { $seen = $payload; return array( 'platform_order_id' => '1234' ); } );
		$this->transport->answers[] = FakeTransport::json( 200, array( 'id' => 'c1', 'status' => 'accepted' ) );
		$this->processor->process( array( 'id' => 'c1', 'type' => 'order.create', 'payload' => array( 'order' => array( 'tiktok_order_id' => '576' ) ) ) );

		$this->assertSame( array( 'order' => array( 'tiktok_order_id' => '576' ) ), $seen );
		$this->assertSame( 'http://hub/api/v1/commands/c1/result', $this->transport->requests[0]['url'] );
		$this->assertSame( array( 'status' => 'done', 'platform_order_id' => '1234' ), $this->result_body() );
	}

	public function test_documented_failure_is_reported_with_reason_message_and_retryable() {
		$this->processor->on( 'order.create', function () { throw new CommandFailure( CommandFailure::OUT_OF_STOCK, 'SKU X: 1 in stock, 2 ordered.', false ); } );
		$this->transport->answers[] = FakeTransport::json( 200, array( 'status' => 'accepted' ) );
		$this->processor->process( array( 'id' => 'c2', 'type' => 'order.create', 'payload' => array() ) );
		$this->assertSame( array( 'status' => 'failed', 'reason' => 'OUT_OF_STOCK', 'message' => 'SKU X: 1 in stock, 2 ordered.', 'retryable' => false ), $this->result_body() );
	}

	public function test_result_already_recorded_by_an_earlier_delivery_is_not_an_error() {
		$this->processor->on( 'order.create', function () { return array( 'platform_order_id' => '7' ); } );
		$this->transport->answers[] = FakeTransport::json( 409, array( 'error' => array( 'code' => 'result_already_recorded', 'message' => 'A different result was recorded.' ) ) );
		$this->assertSame( array( 'status' => 'done', 'platform_order_id' => '7' ), $this->processor->process( array( 'id' => 'c9', 'type' => 'order.create', 'payload' => array() ) ) );
	}

	public function test_unexpected_error_becomes_a_retryable_platform_error() {
		$this->processor->on( 'order.cancel', function () { throw new RuntimeException( 'database is locked' ); } );
		$this->transport->answers[] = FakeTransport::json( 200, array() );
		$this->processor->process( array( 'id' => 'c3', 'type' => 'order.cancel', 'payload' => array() ) );
		$body = $this->result_body();
		$this->assertSame( 'PLATFORM_ERROR', $body['reason'] );
		$this->assertTrue( $body['retryable'] );
		$this->assertStringContainsString( 'database is locked', $body['message'] );
	}

	public function test_unknown_command_is_answered_not_ignored() {
		$this->transport->answers[] = FakeTransport::json( 200, array() );
		$this->processor->process( array( 'id' => 'c4', 'type' => 'order.teleport', 'payload' => array() ) );
		$this->assertSame( 'PLATFORM_ERROR', $this->result_body()['reason'] );
		$this->assertStringContainsString( 'order.teleport', $this->result_body()['message'] );
	}

	public function test_deferred_command_gets_no_result_so_the_hub_hands_it_out_again() {
		$this->processor->on( 'order.create', function () { throw new CommandDeferred( 'busy' ); } );
		$this->assertNull( $this->processor->process( array( 'id' => 'c5', 'type' => 'order.create', 'payload' => array() ) ) );
		$this->assertSame( array(), $this->transport->requests );
	}

	public function test_poller_runs_every_command_and_keeps_polling_while_pages_are_full() {
		$this->processor->on( 'catalog.resend', function () { return array(); } );
		$page = function ( $ids ) { return FakeTransport::json( 200, array( 'commands' => array_map( function ( $id ) { return array( 'id' => $id, 'type' => 'catalog.resend', 'payload' => array( 'product_ids' => null ) ); }, $ids ) ) ); };
		$ok   = FakeTransport::json( 200, array( 'status' => 'accepted' ) );
		$this->transport->answers = array( $page( array( 'a', 'b' ) ), $ok, $ok, $page( array( 'c' ) ), $ok );
		$poller  = new CommandPoller( $this->client, $this->processor );
		$summary = $poller->poll( 5, 2 );
		$this->assertSame( 3, $summary['received'] );
		$this->assertSame( 3, $summary['done'] );
		$this->assertStringContainsString( 'wait=5&limit=2', $this->transport->requests[0]['url'] );
		$this->assertStringContainsString( 'wait=0&limit=2', $this->transport->requests[3]['url'] );
	}

	public function test_poller_reports_an_unreachable_hub() {
		$states = array();
		$poller = new CommandPoller( $this->client, $this->processor, null, function ( $ok, $message ) use ( &$states ) { $states[] = array( $ok, $message ); } );
		$summary = $poller->poll( 0, 10 );
		$this->assertStringContainsString( 'could not be reached', $summary['error'] );
		$this->assertFalse( $states[0][0] );
	}
}
