<?php
/**
 * Extension API v1 request signing.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Http;

defined( 'ABSPATH' ) || exit;

/**
 * Computes the X-Hub-* headers the hub checks on every request.
 *
 * The signed string is "timestamp\nMETHOD\npath_with_query\nraw_body" and the signature is the
 * lower-case hex HMAC-SHA256 of it under the store's secret, sent as "sha256=<hex>".
 */
class Signer {

	/**
	 * Store key id.
	 *
	 * @var string
	 */
	private $key_id;

	/**
	 * Shared secret.
	 *
	 * @var string
	 */
	private $secret;

	/**
	 * Constructor.
	 *
	 * @param string $key_id Store key id.
	 * @param string $secret Shared secret.
	 */
	public function __construct( $key_id, $secret ) {
		$this->key_id = (string) $key_id;
		$this->secret = (string) $secret;
	}

	/**
	 * Signature value for one request.
	 *
	 * @param int    $timestamp       Unix seconds.
	 * @param string $method          HTTP method.
	 * @param string $path_with_query Path as sent on the request line, with its query string.
	 * @param string $body            Raw body ('' when there is none).
	 * @return string "sha256=<hex>"
	 */
	public function signature( $timestamp, $method, $path_with_query, $body ) {
		$message = (string) (int) $timestamp . "\n" . strtoupper( (string) $method ) . "\n" . (string) $path_with_query . "\n" . (string) $body;
		return 'sha256=' . hash_hmac( 'sha256', $message, $this->secret );
	}

	/**
	 * All authentication headers for one request.
	 *
	 * @param int    $timestamp       Unix seconds.
	 * @param string $method          HTTP method.
	 * @param string $path_with_query Path with query string.
	 * @param string $body            Raw body.
	 * @return array<string,string>
	 */
	public function headers( $timestamp, $method, $path_with_query, $body ) {
		return array(
			'X-Hub-Key'       => $this->key_id,
			'X-Hub-Timestamp' => (string) (int) $timestamp,
			'X-Hub-Signature' => $this->signature( $timestamp, $method, $path_with_query, $body ),
		);
	}
}
