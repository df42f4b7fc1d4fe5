<?php
/**
 * Checks requests signed with the store's key: the hub's wake-up calls and the store's own loopback.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Http;

defined( 'ABSPATH' ) || exit;

/**
 * The Extension API's request signature, checked in the other direction.
 *
 * Same headers and signed string as the calls to the hub (X-Hub-Key, X-Hub-Timestamp within ±300 s,
 * X-Hub-Signature = "sha256=" + HMAC-SHA256(secret, timestamp \n METHOD \n path_with_query \n body)),
 * so only someone holding this store's secret can make the store act. The signed path is the one on
 * the request line, so a signature made for one address is worthless at another.
 */
class RequestVerifier {

	const MAX_SKEW = 300;

	/**
	 * Signer holding the store's key and secret.
	 *
	 * @var Signer
	 */
	private $signer;

	/**
	 * Store key id.
	 *
	 * @var string
	 */
	private $key_id;

	/**
	 * Constructor.
	 *
	 * @param string $key_id Store key id.
	 * @param string $secret Shared secret.
	 */
	public function __construct( $key_id, $secret ) {
		$this->key_id = (string) $key_id;
		$this->signer = new Signer( $key_id, $secret );
	}

	/**
	 * Why a request is refused, or '' when it is correctly signed.
	 *
	 * @param array<string,string> $headers         Request headers, names in any case.
	 * @param string               $method          HTTP method.
	 * @param string               $path_with_query Path and query as on the request line.
	 * @param string               $body            Raw body.
	 * @param int                  $now             Unix seconds.
	 * @return string missing_credentials, unknown_key, stale_timestamp, bad_signature, or ''.
	 */
	public function refusal( array $headers, $method, $path_with_query, $body, $now ) {
		$headers   = array_change_key_case( $headers, CASE_LOWER );
		$key       = isset( $headers['x-hub-key'] ) ? (string) $headers['x-hub-key'] : '';
		$timestamp = isset( $headers['x-hub-timestamp'] ) ? (string) $headers['x-hub-timestamp'] : '';
		$signature = isset( $headers['x-hub-signature'] ) ? (string) $headers['x-hub-signature'] : '';
		if ( '' === $key || '' === $timestamp || '' === $signature || '' === $this->key_id ) {
			return 'missing_credentials';
		}
		if ( ! hash_equals( $this->key_id, $key ) ) {
			return 'unknown_key';
		}
		if ( ! preg_match( '/^\d{1,12}$/', $timestamp ) || abs( (int) $now - (int) $timestamp ) > self::MAX_SKEW ) {
			return 'stale_timestamp';
		}
		$expected = $this->signer->signature( (int) $timestamp, $method, $path_with_query, $body );
		return hash_equals( $expected, $signature ) ? '' : 'bad_signature';
	}
}
