<?php
/**
 * The poller's manners towards the hub.
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Commands\CommandPoller;
use TikTokShopSync\Commands\CommandProcessor;
use TikTokShopSync\Http\HubClient;
use TikTokShopSync\Http\Signer;

class CommandPollerTest extends TestCase {

	private $transport;
	private $poller;

	protected function setUp(): void {
		$this->transport = new FakeTransport();
		$client          = new HubClient( 'http://127.0.0.1:5000', new Signer( 'k', 's' ), $this->transport );
		$this->poller    = new CommandPoller( $client, ( new CommandProcessor( $client ) )->on( 'catalog.resend', static function () { return array(); } ) );
	}

	private function commands( $count ) {
		$out = array();
		for ( $i = 0; $i < $count; $i++ ) {
			$out[] = array( 'id' => 'c' . $i, 'type' => 'catalog.resend', 'payload' => array( 'product_ids' => array() ) );
		}
		return $out;
	}

	public function test_full_pages_are_fetched_again_without_waiting() {
		$this->transport->answers = array( FakeTransport::json( 200, array( 'commands' => $this->commands( 2 ) ) ), FakeTransport::json( 200, array( 'ok' => true ) ), FakeTransport::json( 200, array( 'ok' => true ) ), FakeTransport::json( 200, array( 'commands' => array() ) ) );
		$summary = $this->poller->poll( 0, 2 );
		$this->assertSame( 2, $summary['done'] );
		$this->assertStringContainsString( '/api/v1/commands?wait=0&limit=2', $this->transport->requests[3]['url'] );
		$this->assertSame( 0, $summary['retry_after'] );
	}

	public function test_a_retry_hint_stops_the_poll_and_is_reported() {
		// A hub already holding enough long-polls for this store answers at once with a hint.
		$this->transport->answers = array( FakeTransport::json( 200, array( 'commands' => $this->commands( 2 ) ), array( 'retry-after' => '7' ) ), FakeTransport::json( 200, array( 'ok' => true ) ), FakeTransport::json( 200, array( 'ok' => true ) ) );
		$summary = $this->poller->poll( 0, 2 );
		$this->assertSame( 2, $summary['done'], 'commands that came with the hint are still carried out' );
		$this->assertSame( 7, $summary['retry_after'] );
		$this->assertCount( 3, $this->transport->requests, 'no further page is asked for' );

		$this->transport->requests = array();
		$this->transport->answers  = array( FakeTransport::json( 200, array( 'commands' => array(), 'retry_after' => 4.2 ) ) );
		$this->assertSame( 5, $this->poller->poll( 0, 2 )['retry_after'], 'the field form, rounded up' );

		$this->transport->answers = array( FakeTransport::json( 429, array( 'error' => array( 'code' => 'too_many_polls', 'message' => 'Two polls already wait.' ) ), array( 'retry-after' => '9' ) ) );
		$summary = $this->poller->poll( 0, 2 );
		$this->assertSame( 9, $summary['retry_after'] );
		$this->assertSame( 'Two polls already wait.', $summary['error'] );
	}
}
