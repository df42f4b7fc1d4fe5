<?php
/**
 * A transport that answers from a script and records requests.
 *
 * @package TikTokShopSync\Tests
 */

use TikTokShopSync\ExtensionClient\HubException;
use TikTokShopSync\ExtensionClient\Http\Response;
use TikTokShopSync\ExtensionClient\Http\Transport;

/** Scripted answers: each is a response array, a callable(request) returning one, or an exception. */
class FakeTransport implements Transport {
	public $requests = array();
	public $answers  = array();

	public function send( string $method, string $url, array $headers, string $body, float $timeout ): Response {
		$request          = compact( 'method', 'url', 'headers', 'body', 'timeout' );
		$this->requests[] = $request;
		if ( ! $this->answers ) {
			throw new HubException( 'The hub could not be reached: no scripted answer', 0, 'unreachable' );
		}
		$answer = array_shift( $this->answers );
		if ( $answer instanceof Throwable ) {
			throw $answer;
		}
		if ( is_callable( $answer ) ) {
			$answer = $answer( $request );
		}
		$answer += array( 'headers' => array() );
		return new Response( $answer['status'], $answer['headers'], $answer['body'] );
	}

	public static function json( $status, $data, array $headers = array() ) {
		return array( 'status' => $status, 'headers' => $headers, 'body' => json_encode( $data ) );
	}

	/** Answers an events call with the given status for every event. */
	public static function results( $status ) {
		return static function ( $request ) use ( $status ) {
			$events = json_decode( $request['body'], true )['events'];
			return FakeTransport::json( 200, array( 'results' => array_map( static function ( $e ) use ( $status ) { return array( 'id' => $e['id'], 'status' => $status, 'errors' => 'rejected' === $status ? array( 'product' => array( 'title' => array( 'Missing data for required field.' ) ) ) : new stdClass() ); }, $events ) ) );
		};
	}
}
