<?php
/**
 * Delivers outbox events to the hub.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Sync;

use TikTokShopSync\Http\HubClient;
use TikTokShopSync\Http\HubException;

defined( 'ABSPATH' ) || exit;

/**
 * Sends due outbox rows in batches and records each event's outcome.
 *
 * Accepted and duplicate events leave the outbox; rejected ones stay, marked, with the hub's
 * reason. When the hub cannot be reached (or answers 5xx/429), the whole batch waits with an
 * exponential backoff (30 s doubling up to an hour, or the hub's Retry-After if longer).
 */
class OutboxFlusher {

	const MAX_BATCH      = 100;
	const MAX_BODY_BYTES = 5000000;
	const MAX_BATCHES    = 20;
	const BASE_DELAY     = 30;
	const MAX_DELAY      = 3600;
	// Seconds per call: a job may wait; right after a save a hung hub must not hold a PHP worker.
	const DEFAULT_TIMEOUT   = 20;
	const IMMEDIATE_TIMEOUT = 5;

	/**
	 * Outbox.
	 *
	 * @var Outbox
	 */
	private $outbox;

	/**
	 * Hub client.
	 *
	 * @var HubClient
	 */
	private $client;

	/**
	 * Called with (bool ok, string message) after each exchange with the hub.
	 *
	 * @var callable|null
	 */
	private $on_contact;

	/**
	 * Constructor.
	 *
	 * @param Outbox        $outbox     Outbox.
	 * @param HubClient     $client     Hub client.
	 * @param callable|null $on_contact Observer of the connection state.
	 */
	public function __construct( Outbox $outbox, HubClient $client, $on_contact = null ) {
		$this->outbox     = $outbox;
		$this->client     = $client;
		$this->on_contact = $on_contact;
	}

	/**
	 * Backoff delay after a number of failed attempts.
	 *
	 * @param int $attempts    Attempts already made.
	 * @param int $retry_after Seconds the hub asked for.
	 * @return int Seconds.
	 */
	public static function backoff( $attempts, $retry_after = 0 ) {
		$delay = (int) min( self::MAX_DELAY, self::BASE_DELAY * ( 2 ** max( 0, min( 10, (int) $attempts ) ) ) );
		return max( $delay, (int) $retry_after );
	}

	/**
	 * Sends every due event, a bounded number of batches per run.
	 *
	 * @param float $timeout Seconds each call to the hub may take (shorter right after a save, so a
	 *                       hub that hangs cannot hold a PHP worker for long).
	 * @return array{delivered:int,rejected:int,deferred:int,error:string} Counts for this run.
	 */
	public function flush( $timeout = self::DEFAULT_TIMEOUT ) {
		$summary    = array(
			'delivered' => 0,
			'rejected'  => 0,
			'deferred'  => 0,
			'error'     => '',
		);
		$batch_size = self::MAX_BATCH;
		for ( $i = 0; $i < self::MAX_BATCHES; $i++ ) {
			$rows = $this->fit_body_limit( $this->outbox->due( $batch_size ) );
			if ( ! $rows ) {
				break;
			}
			try {
				$results = $this->client->send_events( array_column( $rows, 'event' ), $timeout );
			} catch ( HubException $e ) {
				$status = $e->status();
				if ( in_array( $status, array( 400, 413, 422 ), true ) && count( $rows ) > 1 ) {
					// One event spoils the batch: send one at a time to find it, keep the rest.
					$batch_size = 1;
					continue;
				}
				if ( in_array( $status, array( 400, 413, 422 ), true ) ) {
					$this->outbox->mark_rejected( $rows[0]['id'], $rows[0]['event_id'], $e->getMessage() );
					++$summary['rejected'];
					continue;
				}
				$this->notify( false, $e->getMessage() );
				$max_attempts = max( array_column( $rows, 'attempts' ) );
				$this->outbox->mark_retry( array_column( $rows, 'id' ), $e->getMessage(), self::backoff( $max_attempts, $e->retry_after() ) );
				$summary['deferred'] += count( $rows );
				$summary['error']     = $e->getMessage();
				break;
			}
			$this->notify( true, '' );
			foreach ( $rows as $index => $row ) {
				$result = is_array( $results[ $index ] ) ? $results[ $index ] : array();
				$status = isset( $result['status'] ) ? (string) $result['status'] : '';
				if ( 'accepted' === $status || 'duplicate' === $status ) {
					$this->outbox->mark_delivered( $row['id'], $row['event_id'] );
					++$summary['delivered'];
				} else {
					$errors = isset( $result['errors'] ) ? json_encode( $result['errors'] ) : 'rejected without a reason';
					$this->outbox->mark_rejected( $row['id'], $row['event_id'], (string) $errors );
					++$summary['rejected'];
				}
			}
		}
		return $summary;
	}

	/**
	 * Trims a batch so its JSON body stays under the hub's size limit.
	 *
	 * @param array[] $rows Due rows.
	 * @return array[]
	 */
	private function fit_body_limit( array $rows ) {
		$out   = array();
		$bytes = 20;
		foreach ( $rows as $row ) {
			$size = strlen( (string) json_encode( $row['event'], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ) ) + 1;
			if ( $out && $bytes + $size > self::MAX_BODY_BYTES ) {
				break;
			}
			$bytes += $size;
			$out[]  = $row;
		}
		return $out;
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
