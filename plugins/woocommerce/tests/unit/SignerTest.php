<?php
/**
 * Request signing.
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Http\HubClient;
use TikTokShopSync\Http\Signer;

/**
 * The expected signatures were computed outside PHP, with Python's hmac module:
 * "sha256=" + hmac.new(secret, f"{ts}\n{METHOD}\n{path}\n".encode() + body, sha256).hexdigest()
 */
class SignerTest extends TestCase {

	public function vectors() {
		return array(
			'GET without body'       => array( 's3cr3t', 1732700000, 'GET', '/api/v1/ping', '', 'sha256=105c647379b77ef0ecc22e04c1506890ca2782649a1ae17f0dfc6c230e3d3306' ),
			'POST with a JSON body'  => array( 's3cr3t', 1732700000, 'POST', '/api/v1/events', '{"events":[]}', 'sha256=87024ed9c0401dc25c0a9eec1958b85aed1e1759d244295807e537ead85b78af' ),
			'path prefix and query'  => array( 'another-secret', 1700000000, 'get', '/hub/api/v1/commands?wait=10&limit=5', '', 'sha256=5dc204ba51d152ca53abf7034258420e1d11db6c5cb46df2e44bcbf00c6d2f4f' ),
			'UTF-8 body, raw bytes'  => array( 's3cr3t', 1732700000, 'POST', '/api/v1/events', '{"t":"Chaussettes été"}', 'sha256=acdb394d73b7a6c1eccb1e4abafa2b815759e125e766a5a61a1adcd2f6190330' ),
		);
	}

	/**
	 * @dataProvider vectors
	 */
	public function test_signature_matches_independent_computation( $secret, $ts, $method, $path, $body, $expected ) {
		$this->assertSame( $expected, ( new Signer( 'key_1', $secret ) )->signature( $ts, $method, $path, $body ) );
	}

	public function test_client_signs_exactly_what_it_sends() {
		$transport            = new FakeTransport();
		$transport->answers[] = FakeTransport::json( 200, array( 'commands' => array() ) );
		$client               = new HubClient( 'https://hub.example/hub/', new Signer( 'key_1', 'another-secret' ), $transport, static function () { return 1700000000; } );
		$client->fetch_commands( 10, 5 );

		$request = $transport->requests[0];
		$this->assertSame( 'https://hub.example/hub/api/v1/commands?wait=10&limit=5', $request['url'] );
		$this->assertSame( 'key_1', $request['headers']['X-Hub-Key'] );
		$this->assertSame( '1700000000', $request['headers']['X-Hub-Timestamp'] );
		$this->assertSame( 'sha256=5dc204ba51d152ca53abf7034258420e1d11db6c5cb46df2e44bcbf00c6d2f4f', $request['headers']['X-Hub-Signature'] );
		$this->assertSame( '', $request['body'] );
	}
}
