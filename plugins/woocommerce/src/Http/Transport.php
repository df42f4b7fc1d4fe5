<?php
/**
 * HTTP transport seam.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Http;

defined( 'ABSPATH' ) || exit;

/**
 * Sends one HTTP request. Kept as an interface so the hub client's logic is testable without a network.
 */
interface Transport {

	/**
	 * Sends a request.
	 *
	 * @param string               $method  HTTP method.
	 * @param string               $url     Absolute URL.
	 * @param array<string,string> $headers Request headers.
	 * @param string               $body    Raw body.
	 * @param float                $timeout Seconds before giving up.
	 * @return array{status:int,headers:array<string,string>,body:string} Headers with lower-case names.
	 * @throws HubException When no HTTP response was received (DNS, refused, timeout).
	 */
	public function send( $method, $url, array $headers, $body, $timeout );
}
