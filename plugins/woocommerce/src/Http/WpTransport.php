<?php
/**
 * The shared client's HTTP transport over the WordPress HTTP API.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Http;

use TikTokShopSync\ExtensionClient\HubException;
use TikTokShopSync\ExtensionClient\Http\Response;
use TikTokShopSync\ExtensionClient\Http\Transport;

defined( 'ABSPATH' ) || exit;

/**
 * Uses wp_remote_request(), so proxies, CA bundles and hosts' HTTP filters configured in
 * WordPress apply to calls to the hub as they do to every other outbound call. The shared client
 * (signing, error codes, Retry-After) sits on top of it.
 */
class WpTransport implements Transport {

	/**
	 * Sends one request; no redirects are followed, since a signed path must not change on the way.
	 *
	 * @param string               $method  HTTP method.
	 * @param string               $url     Absolute URL.
	 * @param array<string,string> $headers Request headers.
	 * @param string               $body    Raw body.
	 * @param float                $timeout Seconds.
	 * @return Response
	 * @throws HubException With status 0 and code "unreachable" when the hub could not be reached.
	 */
	public function send( string $method, string $url, array $headers, string $body, float $timeout ): Response {
		$args = array(
			'method'      => $method,
			'headers'     => $headers,
			'timeout'     => $timeout,
			'redirection' => 0,
			'user-agent'  => 'TikTokShopSync/' . ( defined( 'TTS_SYNC_VERSION' ) ? TTS_SYNC_VERSION : '0' ) . '; WordPress/' . get_bloginfo( 'version' ),
		);
		if ( '' !== $body ) {
			$args['body'] = $body;
		}
		$response = wp_remote_request( $url, $args );
		if ( is_wp_error( $response ) ) {
			throw new HubException(
				/* translators: %s: error reported by the HTTP library. */
				sprintf( __( 'The hub could not be reached: %s', 'tiktok-shop-sync' ), $response->get_error_message() ),
				0,
				'unreachable'
			);
		}
		$headers_out = array();
		foreach ( wp_remote_retrieve_headers( $response ) as $name => $value ) {
			$headers_out[ strtolower( (string) $name ) ] = is_array( $value ) ? implode( ', ', $value ) : (string) $value;
		}
		return new Response(
			(int) wp_remote_retrieve_response_code( $response ),
			$headers_out,
			(string) wp_remote_retrieve_body( $response )
		);
	}
}
