<?php
/**
 * Hub client error handling.
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Http\HubClient;
use TikTokShopSync\Http\HubException;
use TikTokShopSync\Http\Signer;

class HubClientTest extends TestCase {

	private $transport;
	private $client;

	protected function setUp(): void {
		$this->transport = new FakeTransport();
		$this->client    = new HubClient( 'http://127.0.0.1:5000', new Signer( 'k', 's' ), $this->transport );
	}

	public function test_hub_error_body_becomes_an_exception_with_its_code_and_message() {
		$this->transport->answers[] = FakeTransport::json( 401, array( 'error' => array( 'code' => 'bad_signature', 'message' => 'X-Hub-Signature does not match the request.', 'details' => array() ) ) );
		try {
			$this->client->ping();
			$this->fail( 'no exception' );
		} catch ( HubException $e ) {
			$this->assertSame( 401, $e->status() );
			$this->assertSame( 'bad_signature', $e->error_code() );
			$this->assertSame( 'X-Hub-Signature does not match the request.', $e->getMessage() );
			$this->assertTrue( $e->is_auth_failure() );
			$this->assertFalse( $e->is_retryable() );
		}
	}

	public function test_rate_limit_carries_retry_after_and_is_retryable() {
		$this->transport->answers[] = FakeTransport::json( 429, array( 'error' => array( 'code' => 'rate_limited', 'message' => 'Slow down.' ) ), array( 'retry-after' => '120' ) );
		try {
			$this->client->send_events( array( array( 'id' => 'x', 'type' => 'store.update' ) ) );
			$this->fail( 'no exception' );
		} catch ( HubException $e ) {
			$this->assertSame( 120, $e->retry_after() );
			$this->assertTrue( $e->is_retryable() );
		}
	}

	public function test_answer_that_is_not_json_is_reported_not_swallowed() {
		$this->transport->answers[] = array( 'status' => 200, 'headers' => array(), 'body' => '<html>proxy login</html>' );
		$this->expectException( HubException::class );
		$this->expectExceptionMessage( 'not JSON' );
		$this->client->ping();
	}

	public function test_events_answer_must_hold_one_result_per_event() {
		$this->transport->answers[] = FakeTransport::json( 200, array( 'results' => array() ) );
		$this->expectException( HubException::class );
		$this->client->send_events( array( array( 'id' => 'x', 'type' => 'store.update' ) ) );
	}

	public function test_status_lookup_chunks_ids_by_hundred_and_keys_rows_by_product() {
		$this->transport->answers[] = FakeTransport::json( 200, array( 'products' => array( array( 'product_id' => '1', 'status' => 'Active' ) ) ) );
		$this->transport->answers[] = FakeTransport::json( 200, array( 'products' => array( array( 'product_id' => '150', 'status' => 'Failed to sync', 'reason' => 'Weight missing' ) ) ) );
		$rows = $this->client->product_statuses( range( 1, 150 ) );
		$this->assertCount( 2, $this->transport->requests );
		$this->assertStringEndsWith( '?ids=' . implode( ',', range( 1, 100 ) ), $this->transport->requests[0]['url'] );
		$this->assertSame( 'Failed to sync', $rows['150']['status'] );
		$this->assertSame( 'Active', $rows['1']['status'] );
	}

	public function test_missing_hub_url_is_a_clear_error() {
		$client = new HubClient( '', new Signer( 'k', 's' ), $this->transport );
		$this->expectExceptionMessage( 'The hub URL is not set.' );
		$client->ping();
	}
}
