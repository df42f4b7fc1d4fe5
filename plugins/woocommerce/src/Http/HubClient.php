<?php
/**
 * Extension API v1 client.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Http;

defined( 'ABSPATH' ) || exit;

/**
 * Signed JSON calls to the hub. One method per endpoint of the contract; every failure becomes a
 * HubException carrying the hub's error code and message, never a silent false.
 */
class HubClient {

	const API_PREFIX = '/api/v1';

	/**
	 * Hub base URL (scheme, host, optional port and path prefix), no trailing slash.
	 *
	 * @var string
	 */
	private $base_url;

	/**
	 * Request signer.
	 *
	 * @var Signer
	 */
	private $signer;

	/**
	 * HTTP transport.
	 *
	 * @var Transport
	 */
	private $transport;

	/**
	 * Returns the current Unix time; replaceable so signatures can be checked in tests.
	 *
	 * @var callable
	 */
	private $clock;

	/**
	 * Constructor.
	 *
	 * @param string        $base_url  Hub base URL.
	 * @param Signer        $signer    Signer holding the store's key and secret.
	 * @param Transport     $transport HTTP transport.
	 * @param callable|null $clock     Returns Unix seconds.
	 */
	public function __construct( $base_url, Signer $signer, Transport $transport, $clock = null ) {
		$this->base_url  = rtrim( (string) $base_url, '/' );
		$this->signer    = $signer;
		$this->transport = $transport;
		$this->clock     = $clock ? $clock : 'time';
	}

	/**
	 * GET /api/v1/ping.
	 *
	 * @return array Store name, platform and TikTok connection facts.
	 */
	public function ping() {
		return $this->request( 'GET', '/ping', null, 10 );
	}

	/**
	 * POST /api/v1/events.
	 *
	 * @param array[] $events  Events with id and type.
	 * @param float   $timeout Seconds.
	 * @return array[] One result per event, in order.
	 * @throws HubException When the answer does not list one result per event.
	 */
	public function send_events( array $events, $timeout = 20 ) {
		$answer  = $this->request( 'POST', '/events', array( 'events' => array_values( $events ) ), $timeout );
		$results = isset( $answer['results'] ) && is_array( $answer['results'] ) ? $answer['results'] : null;
		if ( null === $results || count( $results ) !== count( $events ) ) {
			throw new HubException( self::text( 'The hub answered the events call without one result per event.' ), 200, 'invalid_response' );
		}
		return $results;
	}

	/**
	 * GET /api/v1/commands (long-poll).
	 *
	 * @param int $wait  Seconds the hub may hold the request (0-30).
	 * @param int $limit Most commands to receive.
	 * @return array[] Commands with id, type and payload fields.
	 */
	public function fetch_commands( $wait, $limit ) {
		return $this->fetch_command_page( $wait, $limit )['commands'];
	}

	/**
	 * GET /api/v1/commands (long-poll), with the hub's hint on when to ask again.
	 *
	 * A hub that already holds enough waiting long-polls for this store answers at once with a
	 * Retry-After header (or a retry_after field); the caller should not poll again before then.
	 *
	 * @param int $wait  Seconds the hub may hold the request (0-30).
	 * @param int $limit Most commands to receive.
	 * @return array{commands:array[],retry_after:int}
	 */
	public function fetch_command_page( $wait, $limit ) {
		$wait     = max( 0, min( 30, (int) $wait ) );
		$limit    = max( 1, min( 100, (int) $limit ) );
		$response = $this->exchange( 'GET', '/commands?wait=' . $wait . '&limit=' . $limit, null, $wait + 15 );
		$answer   = $response['json'];
		$retry    = isset( $response['headers']['retry-after'] ) ? (int) $response['headers']['retry-after'] : 0;
		if ( isset( $answer['retry_after'] ) && is_numeric( $answer['retry_after'] ) ) {
			$retry = max( $retry, (int) ceil( (float) $answer['retry_after'] ) );
		}
		return array(
			'commands'    => isset( $answer['commands'] ) && is_array( $answer['commands'] ) ? $answer['commands'] : array(),
			'retry_after' => max( 0, $retry ),
		);
	}

	/**
	 * POST /api/v1/commands/{id}/result.
	 *
	 * @param string $command_id Command id.
	 * @param array  $result     {"status":"done",...} or {"status":"failed",...}.
	 * @return array
	 */
	public function report_result( $command_id, array $result ) {
		return $this->request( 'POST', '/commands/' . rawurlencode( (string) $command_id ) . '/result', $result, 15 );
	}

	/**
	 * GET /api/v1/products/status?ids=...
	 *
	 * @param string[] $ids     Product ids.
	 * @param float    $timeout Seconds; kept short because an admin page waits for it.
	 * @return array[] Keyed by product id.
	 */
	public function product_statuses( array $ids, $timeout = 3 ) {
		// Store ids are numeric here; keeping the commas literal keeps the signed path identical to the sent one.
		$ids = array_values( array_unique( array_filter( array_map( 'strval', array_map( 'intval', $ids ) ) ) ) );
		$out = array();
		foreach ( array_chunk( $ids, 100 ) as $chunk ) {
			$answer = $this->request( 'GET', '/products/status?ids=' . implode( ',', $chunk ), null, $timeout );
			if ( isset( $answer['products'] ) && is_array( $answer['products'] ) ) {
				foreach ( $answer['products'] as $row ) {
					if ( is_array( $row ) && isset( $row['product_id'] ) ) {
						$out[ (string) $row['product_id'] ] = $row;
					}
				}
			}
		}
		return $out;
	}

	/**
	 * Sends one signed request and decodes the JSON answer.
	 *
	 * @param string     $method   HTTP method.
	 * @param string     $path     Path below /api/v1, with query.
	 * @param array|null $payload  JSON body or null.
	 * @param float      $timeout  Seconds.
	 * @return array Decoded JSON object.
	 * @throws HubException On transport failure, an error status or a body that is not JSON.
	 */
	public function request( $method, $path, $payload, $timeout ) {
		return $this->exchange( $method, $path, $payload, $timeout )['json'];
	}

	/**
	 * Sends one signed request; the decoded JSON answer with the response headers.
	 *
	 * @param string     $method   HTTP method.
	 * @param string     $path     Path below /api/v1, with query.
	 * @param array|null $payload  JSON body or null.
	 * @param float      $timeout  Seconds.
	 * @return array{json:array,headers:array<string,string>}
	 * @throws HubException On transport failure, an error status or a body that is not JSON.
	 */
	public function exchange( $method, $path, $payload, $timeout ) {
		if ( '' === $this->base_url ) {
			throw new HubException( self::text( 'The hub URL is not set.' ), 0, 'not_configured' );
		}
		$url  = $this->base_url . self::API_PREFIX . $path;
		$body = '';
		if ( null !== $payload ) {
			$body = (string) json_encode( $payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
		}
		$parts           = parse_url( $url ); // phpcs:ignore
		$path_with_query = ( isset( $parts['path'] ) ? $parts['path'] : '/' ) . ( isset( $parts['query'] ) ? '?' . $parts['query'] : '' );
		$headers         = $this->signer->headers( (int) call_user_func( $this->clock ), $method, $path_with_query, $body );
		$headers['Accept'] = 'application/json';
		if ( '' !== $body ) {
			$headers['Content-Type'] = 'application/json; charset=utf-8';
		}

		$response = $this->transport->send( $method, $url, $headers, $body, (float) $timeout );
		$decoded  = json_decode( $response['body'], true );
		$status   = (int) $response['status'];

		if ( $status < 200 || $status >= 300 ) {
			$code    = 'http_' . $status;
			$message = sprintf(
				/* translators: %d: HTTP status code. */
				self::text( 'The hub answered with HTTP %d.' ),
				$status
			);
			if ( is_array( $decoded ) && isset( $decoded['error'] ) && is_array( $decoded['error'] ) ) {
				$code    = isset( $decoded['error']['code'] ) ? (string) $decoded['error']['code'] : $code;
				$message = isset( $decoded['error']['message'] ) ? (string) $decoded['error']['message'] : $message;
			}
			$retry_after = isset( $response['headers']['retry-after'] ) ? (int) $response['headers']['retry-after'] : 0;
			throw new HubException( $message, $status, $code, $retry_after );
		}
		if ( ! is_array( $decoded ) ) {
			throw new HubException( self::text( 'The hub answered with something that is not JSON.' ), $status, 'invalid_response' );
		}
		return array(
			'json'    => $decoded,
			'headers' => isset( $response['headers'] ) ? (array) $response['headers'] : array(),
		);
	}

	/**
	 * A message in the site's language when WordPress is there to translate it.
	 *
	 * Kept free of a hard WordPress dependency so the client can serve other PHP platforms.
	 *
	 * @param string $text English message.
	 * @return string
	 */
	private static function text( $text ) {
		return function_exists( '__' ) ? __( $text, 'tiktok-shop-sync' ) : $text; // phpcs:ignore
	}
}
