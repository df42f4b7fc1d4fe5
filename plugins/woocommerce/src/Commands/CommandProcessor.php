<?php
/**
 * Carries out one command from the hub and reports the result.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Commands;

use TikTokShopSync\Http\HubClient;
use TikTokShopSync\Http\HubException;

defined( 'ABSPATH' ) || exit;

/**
 * Dispatches order.create, order.cancel and catalog.resend to their handlers and posts
 * {"status":"done"} or {"status":"failed","reason",...} to /commands/{id}/result.
 *
 * Handlers are callables taking the command's payload and returning an array that may hold
 * platform_order_id; they throw CommandFailure for a documented failure. Any other error becomes
 * PLATFORM_ERROR (retryable), so the hub always learns what happened.
 */
class CommandProcessor {

	/**
	 * Hub client.
	 *
	 * @var HubClient
	 */
	private $client;

	/**
	 * Handlers by command type.
	 *
	 * @var array<string,callable>
	 */
	private $handlers = array();

	/**
	 * Constructor.
	 *
	 * @param HubClient $client Hub client.
	 */
	public function __construct( HubClient $client ) {
		$this->client = $client;
	}

	/**
	 * Registers the handler of a command type.
	 *
	 * @param string   $type    Command type.
	 * @param callable $handler Receives the payload array.
	 * @return $this
	 */
	public function on( $type, $handler ) {
		$this->handlers[ (string) $type ] = $handler;
		return $this;
	}

	/**
	 * The payload of a command: the "payload" object, or the command itself for a flat shape.
	 *
	 * @param array $command Command as received.
	 * @return array
	 */
	public static function payload( array $command ) {
		if ( isset( $command['payload'] ) && is_array( $command['payload'] ) ) {
			return $command['payload'];
		}
		return $command;
	}

	/**
	 * Runs one command and reports its result.
	 *
	 * @param array $command Command with id, type and payload.
	 * @return array|null The result sent, or null when nothing was sent (deferred).
	 * @throws HubException When the result could not be delivered (the hub will hand the command out again).
	 */
	public function process( array $command ) {
		$id = isset( $command['id'] ) ? (string) $command['id'] : '';
		if ( '' === $id ) {
			return null;
		}
		$result = $this->run( $command );
		if ( null === $result ) {
			return null;
		}
		try {
			$this->client->report_result( $id, $result );
		} catch ( HubException $e ) {
			// 409: a result for this command was recorded already (an earlier delivery); nothing left to do.
			if ( 409 !== $e->status() ) {
				throw $e;
			}
		}
		return $result;
	}

	/**
	 * Runs one command without reporting.
	 *
	 * @param array $command Command.
	 * @return array|null Result body, or null when deferred.
	 */
	public function run( array $command ) {
		$type = isset( $command['type'] ) ? (string) $command['type'] : '';
		if ( ! isset( $this->handlers[ $type ] ) ) {
			return ( new CommandFailure( CommandFailure::PLATFORM_ERROR, 'This version of the WooCommerce extension does not know the command "' . $type . '". Update the plugin.' ) )->to_result();
		}
		try {
			$outcome = call_user_func( $this->handlers[ $type ], self::payload( $command ) );
		} catch ( CommandDeferred $e ) {
			return null;
		} catch ( CommandFailure $e ) {
			return $e->to_result();
		} catch ( \Throwable $e ) {
			return ( new CommandFailure( CommandFailure::PLATFORM_ERROR, 'Unexpected error in the store: ' . $e->getMessage(), true ) )->to_result();
		}
		$result = array( 'status' => 'done' );
		if ( is_array( $outcome ) && isset( $outcome['platform_order_id'] ) && '' !== (string) $outcome['platform_order_id'] ) {
			$result['platform_order_id'] = (string) $outcome['platform_order_id'];
		}
		if ( is_array( $outcome ) && isset( $outcome['platform_refund_id'] ) && '' !== (string) $outcome['platform_refund_id'] ) {
			$result['platform_refund_id'] = (string) $outcome['platform_refund_id'];
		}
		return $result;
	}
}
