<?php
/**
 * Real HTTP through WordPress, with a copy of each exchange kept for assertions.
 *
 * @package TikTokShopSync\Tests
 */

use TikTokShopSync\ExtensionClient\Http\Response;
use TikTokShopSync\ExtensionClient\Http\Transport;
use TikTokShopSync\Http\WpTransport;

/**
 * Decorates the plugin's WpTransport: every request still goes over the wire to the live hub.
 */
class RecordingTransport implements Transport {

	/** @var array[] */
	public $exchanges = array();
	/** @var WpTransport */
	private $inner;

	public function __construct() {
		$this->inner = new WpTransport();
	}

	public function send( string $method, string $url, array $headers, string $body, float $timeout ): Response {
		$exchange = array( 'method' => $method, 'url' => $url, 'headers' => $headers, 'body' => $body, 'response' => null, 'error' => null );
		try {
			$response             = $this->inner->send( $method, $url, $headers, $body, $timeout );
			$exchange['response'] = array( 'status' => $response->status, 'headers' => $response->headers, 'body' => $response->body );
			return $response;
		} catch ( \Throwable $e ) {
			$exchange['error'] = $e->getMessage();
			throw $e;
		} finally {
			$this->exchanges[] = $exchange;
		}
	}

	/**
	 * Events sent in POST /events requests, with the hub's result for each.
	 *
	 * @return array[] Each: event, result (null when no response arrived).
	 */
	public function events() {
		$out = array();
		foreach ( $this->exchanges as $exchange ) {
			if ( 'POST' !== $exchange['method'] || false === strpos( $exchange['url'], '/api/v1/events' ) ) {
				continue;
			}
			$events  = json_decode( $exchange['body'], true )['events'];
			$results = $exchange['response'] ? json_decode( $exchange['response']['body'], true )['results'] ?? array() : array();
			foreach ( $events as $i => $event ) {
				$out[] = array( 'event' => $event, 'result' => $results[ $i ] ?? null, 'status' => $exchange['response']['status'] ?? 0 );
			}
		}
		return $out;
	}
}
