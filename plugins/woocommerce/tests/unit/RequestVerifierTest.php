<?php
/**
 * Checking requests signed with the store's key (the hub's wake-up call), against a vector computed
 * outside PHP (Python's hmac).
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Http\RequestVerifier;

class RequestVerifierTest extends TestCase {

	const PATH      = '/shop/?rest_route=/tiktok-shop-sync/v1/wake';
	const SIGNATURE = 'sha256=a38dcdd0808474ed54c3770d5cce1e795dc9644e9ab137324f9b848fc02d7cf6';

	private function headers( array $override = array() ) {
		return array_merge( array( 'X-Hub-Key' => 'hk_1', 'x-hub-timestamp' => '1796320000', 'X-HUB-SIGNATURE' => self::SIGNATURE ), $override );
	}

	public function test_a_request_signed_with_the_stores_secret_passes_in_any_header_case() {
		$verifier = new RequestVerifier( 'hk_1', 'shh-secret' );
		$this->assertSame( '', $verifier->refusal( $this->headers(), 'post', self::PATH, '', 1796320100 ) );
	}

	public function test_each_failed_check_is_named() {
		$verifier = new RequestVerifier( 'hk_1', 'shh-secret' );
		$this->assertSame( 'missing_credentials', $verifier->refusal( array( 'X-Hub-Key' => 'hk_1' ), 'POST', self::PATH, '', 1796320000 ) );
		$this->assertSame( 'unknown_key', $verifier->refusal( $this->headers( array( 'X-Hub-Key' => 'hk_2' ) ), 'POST', self::PATH, '', 1796320000 ) );
		$this->assertSame( 'stale_timestamp', $verifier->refusal( $this->headers(), 'POST', self::PATH, '', 1796320000 + 301 ) );
		$this->assertSame( 'bad_signature', $verifier->refusal( $this->headers(), 'POST', '/other/?rest_route=/tiktok-shop-sync/v1/wake', '', 1796320000 ), 'signed for another address' );
		$this->assertSame( 'bad_signature', $verifier->refusal( $this->headers(), 'POST', self::PATH, 'x', 1796320000 ), 'a body was added' );
		$this->assertSame( 'missing_credentials', ( new RequestVerifier( '', 'shh-secret' ) )->refusal( $this->headers(), 'POST', self::PATH, '', 1796320000 ), 'a store without a key accepts nothing' );
	}
}
