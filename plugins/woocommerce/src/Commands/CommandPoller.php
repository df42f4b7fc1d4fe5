<?php
/**
 * Polls the hub for commands.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Commands;

use TikTokShopSync\Http\HubClient;
use TikTokShopSync\Http\HubException;
use TikTokShopSync\Jobs\Lock;

defined( 'ABSPATH' ) || exit;

/**
 * One poll: long-polls GET /commands, runs each command, and repeats while full pages come back
 * (a bounded number of rounds), under a lock so two cron runs do not work the same list.
 *
 * When the hub answers with a retry hint (Retry-After header or retry_after field, also on a 429),
 * the poll stops there and reports it, so the caller does not ask again before then.
 */
class CommandPoller {

	const MAX_ROUNDS = 5;

	/**
	 * Hub client.
	 *
	 * @var HubClient
	 */
	private $client;

	/**
	 * Processor.
	 *
	 * @var CommandProcessor
	 */
	private $processor;

	/**
	 * Lock against overlapping polls.
	 *
	 * @var Lock|null
	 */
	private $lock;

	/**
	 * Called with (bool ok, string message).
	 *
	 * @var callable|null
	 */
	private $on_contact;

	/**
	 * Constructor.
	 *
	 * @param HubClient        $client     Hub client.
	 * @param CommandProcessor $processor  Processor.
	 * @param Lock|null        $lock       Lock.
	 * @param callable|null    $on_contact Observer of the connection state.
	 */
	public function __construct( HubClient $client, CommandProcessor $processor, $lock = null, $on_contact = null ) {
		$this->client     = $client;
		$this->processor  = $processor;
		$this->lock       = $lock;
		$this->on_contact = $on_contact;
	}

	/**
	 * Polls once.
	 *
	 * @param int $wait  Long-poll seconds for the first request.
	 * @param int $limit Commands per request.
	 * @return array{received:int,done:int,failed:int,deferred:int,error:string,busy:bool,retry_after:int}
	 */
	public function poll( $wait = 0, $limit = 10 ) {
		$summary = array(
			'received'    => 0,
			'done'        => 0,
			'failed'      => 0,
			'deferred'    => 0,
			'error'       => '',
			'busy'        => false,
			'retry_after' => 0,
		);
		if ( $this->lock && ! $this->lock->acquire() ) {
			$summary['error'] = 'Another poll is running.';
			$summary['busy']  = true;
			return $summary;
		}
		try {
			for ( $round = 0; $round < self::MAX_ROUNDS; $round++ ) {
				$page     = $this->client->fetch_command_page( 0 === $round ? $wait : 0, $limit );
				$commands = $page['commands'];
				$this->notify( true, '' );
				$summary['received'] += count( $commands );
				foreach ( $commands as $command ) {
					if ( ! is_array( $command ) ) {
						continue;
					}
					$result = $this->processor->process( $command );
					if ( null === $result ) {
						++$summary['deferred'];
					} elseif ( 'done' === $result['status'] ) {
						++$summary['done'];
					} else {
						++$summary['failed'];
					}
				}
				if ( $page['retry_after'] > 0 ) {
					$summary['retry_after'] = $page['retry_after'];
					break;
				}
				if ( count( $commands ) < $limit ) {
					break;
				}
			}
		} catch ( HubException $e ) {
			$summary['error']       = $e->getMessage();
			$summary['retry_after'] = $e->retry_after();
			$this->notify( false, $e->getMessage() );
		} finally {
			if ( $this->lock ) {
				$this->lock->release();
			}
		}
		return $summary;
	}

	/**
	 * Reports the connection state.
	 *
	 * @param bool   $ok      Success.
	 * @param string $message Error message.
	 * @return void
	 */
	private function notify( $ok, $message ) {
		if ( $this->on_contact ) {
			call_user_func( $this->on_contact, $ok, $message );
		}
	}
}
