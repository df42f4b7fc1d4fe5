<?php
/**
 * Durable queue of events waiting for the hub.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Sync;

use TikTokShopSync\ExtensionClient\Outbox\OutboxRow;
use TikTokShopSync\ExtensionClient\Outbox\OutboxStore;

defined( 'ABSPATH' ) || exit;

/**
 * The {prefix}tts_outbox table.
 *
 * Every captured change is written here before any network call, so nothing is lost while the hub
 * is unreachable. A row with a dedupe key (for example "product:88") that has not been delivered yet
 * is replaced by a newer event for the same key: the hub then receives the latest state once instead
 * of every intermediate one. A replaced row gets a new event id, because the hub acknowledges a
 * repeated id without applying it.
 *
 * It is the shared client's OutboxStore: the client's OutboxFlusher decides what to send and how to
 * back off; this class only keeps the rows.
 */
class Outbox implements OutboxStore {

	const TABLE          = 'tts_outbox';
	const STATE_PENDING  = 'pending';
	const STATE_REJECTED = 'rejected';

	/**
	 * Database handle (wpdb or a compatible object).
	 *
	 * @var \wpdb
	 */
	private $db;

	/**
	 * Returns Unix seconds; replaceable in tests.
	 *
	 * @var callable
	 */
	private $clock;

	/**
	 * Constructor.
	 *
	 * @param \wpdb         $db    Database handle.
	 * @param callable|null $clock Returns Unix seconds.
	 */
	public function __construct( $db, $clock = null ) {
		$this->db    = $db;
		$this->clock = $clock ? $clock : 'time';
	}

	/**
	 * Table name with the site prefix.
	 *
	 * @return string
	 */
	public function table() {
		return $this->db->prefix . self::TABLE;
	}

	/**
	 * Adds an event, replacing an undelivered one with the same dedupe key.
	 *
	 * @param array       $event      Event with id and type.
	 * @param string|null $dedupe_key Key identifying what the event describes, or null.
	 * @return int Row id.
	 * @throws \RuntimeException When the row could not be written.
	 */
	public function add( array $event, $dedupe_key = null ) {
		if ( empty( $event['id'] ) || empty( $event['type'] ) ) {
			throw new \InvalidArgumentException( 'An outbox event needs an id and a type.' );
		}
		$payload = wp_json_encode( $event, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
		if ( false === $payload ) {
			throw new \RuntimeException( 'The event could not be encoded as JSON.' );
		}
		$table = $this->table();
		if ( null !== $dedupe_key ) {
			$existing = $this->db->get_var(
				$this->db->prepare(
					"SELECT id FROM {$table} WHERE dedupe_key = %s AND state = %s ORDER BY id DESC LIMIT 1", // phpcs:ignore
					$dedupe_key,
					self::STATE_PENDING
				)
			);
			if ( $existing ) {
				$updated = $this->db->update(
					$table,
					array(
						'event_id'   => (string) $event['id'],
						'event_type' => (string) $event['type'],
						'payload'    => $payload,
					),
					array( 'id' => (int) $existing ),
					array( '%s', '%s', '%s' ),
					array( '%d' )
				);
				if ( false === $updated ) {
					throw new \RuntimeException( 'The outbox row could not be updated: ' . $this->db->last_error );
				}
				return (int) $existing;
			}
		}
		$inserted = $this->db->insert(
			$table,
			array(
				'event_id'        => (string) $event['id'],
				'event_type'      => (string) $event['type'],
				'dedupe_key'      => $dedupe_key,
				'payload'         => $payload,
				'state'           => self::STATE_PENDING,
				'attempts'        => 0,
				'next_attempt_at' => 0,
				'created_at'      => (int) call_user_func( $this->clock ),
			),
			array( '%s', '%s', '%s', '%s', '%s', '%d', '%d', '%d' )
		);
		if ( false === $inserted ) {
			throw new \RuntimeException( 'The outbox row could not be written: ' . $this->db->last_error );
		}
		return (int) $this->db->insert_id;
	}

	/**
	 * Pending rows that are due, oldest first.
	 *
	 * @param int $limit Most rows.
	 * @return OutboxRow[] Rows with the decoded event (a stdClass).
	 */
	public function due( int $limit ): array {
		$table = $this->table();
		$rows  = $this->db->get_results(
			$this->db->prepare(
				"SELECT id, event_id, attempts, payload FROM {$table} WHERE state = %s AND next_attempt_at <= %d ORDER BY id ASC LIMIT %d", // phpcs:ignore
				self::STATE_PENDING,
				(int) call_user_func( $this->clock ),
				(int) $limit
			),
			ARRAY_A
		);
		$out = array();
		foreach ( (array) $rows as $row ) {
			// Decoded as objects: an empty {} (no options, no attributes) must not come back as [].
			$event = json_decode( $row['payload'] );
			if ( ! is_object( $event ) ) {
				$this->markRejected( (int) $row['id'], (string) $row['event_id'], 'The stored event is not valid JSON.' );
				continue;
			}
			$out[] = new OutboxRow( (int) $row['id'], (string) $row['event_id'], (int) $row['attempts'], $event );
		}
		return $out;
	}

	/**
	 * Removes a delivered row, unless it was replaced by a newer event meanwhile.
	 *
	 * @param int    $row_id   Row id.
	 * @param string $event_id The event id that was delivered.
	 * @return void
	 */
	public function markDelivered( int $row_id, string $event_id ): void {
		$this->db->delete(
			$this->table(),
			array(
				'id'       => (int) $row_id,
				'event_id' => (string) $event_id,
			),
			array( '%d', '%s' )
		);
	}

	/**
	 * Keeps a row the hub refused, with the reason, so the merchant can see it; it is not retried.
	 *
	 * @param int    $row_id   Row id.
	 * @param string $event_id Event id that was refused.
	 * @param string $reason   The hub's explanation.
	 * @return void
	 */
	public function markRejected( int $row_id, string $event_id, string $reason ): void {
		$this->db->update(
			$this->table(),
			array(
				'state'      => self::STATE_REJECTED,
				'last_error' => (string) $reason,
			),
			array(
				'id'       => (int) $row_id,
				'event_id' => (string) $event_id,
			),
			array( '%s', '%s' ),
			array( '%d', '%s' )
		);
	}

	/**
	 * Puts rows back for a later attempt.
	 *
	 * @param int[]  $row_ids Row ids.
	 * @param string $error   Why the attempt failed.
	 * @param int    $delay   Seconds to wait.
	 * @return void
	 */
	public function markRetry( array $row_ids, string $error, int $delay ): void {
		$row_ids = array_map( 'intval', $row_ids );
		if ( ! $row_ids ) {
			return;
		}
		$table        = $this->table();
		$placeholders = implode( ',', array_fill( 0, count( $row_ids ), '%d' ) );
		$args         = array_merge( array( (int) call_user_func( $this->clock ) + max( 0, (int) $delay ), (string) $error ), $row_ids );
		$this->db->query(
			$this->db->prepare(
				"UPDATE {$table} SET attempts = attempts + 1, next_attempt_at = %d, last_error = %s WHERE id IN ({$placeholders})", // phpcs:ignore
				$args
			)
		);
	}

	/**
	 * Makes every waiting event due now: called once the hub is known to answer again, so a backlog
	 * built up during an outage does not sit out the rest of its backoff.
	 *
	 * @return int Rows released.
	 */
	public function releaseBackoff(): int {
		$table = $this->table();
		return (int) $this->db->query(
			$this->db->prepare( "UPDATE {$table} SET next_attempt_at = 0 WHERE state = %s AND next_attempt_at > 0", self::STATE_PENDING ) // phpcs:ignore
		);
	}

	/**
	 * Whether events wait out a backoff after failed attempts (the hub was unreachable or busy).
	 *
	 * @return bool
	 */
	public function backing_off() {
		$table = $this->table();
		return (bool) $this->db->get_var(
			$this->db->prepare( "SELECT id FROM {$table} WHERE state = %s AND attempts > 0 AND next_attempt_at > %d LIMIT 1", self::STATE_PENDING, (int) call_user_func( $this->clock ) ) // phpcs:ignore
		);
	}

	/**
	 * Whether an event is due now.
	 *
	 * @return bool
	 */
	public function has_due() {
		$table = $this->table();
		return (bool) $this->db->get_var(
			$this->db->prepare( "SELECT id FROM {$table} WHERE state = %s AND next_attempt_at <= %d LIMIT 1", self::STATE_PENDING, (int) call_user_func( $this->clock ) ) // phpcs:ignore
		);
	}

	/**
	 * Number of events still to deliver.
	 *
	 * @return int
	 */
	public function pending_count() {
		$table = $this->table();
		return (int) $this->db->get_var( $this->db->prepare( "SELECT COUNT(*) FROM {$table} WHERE state = %s", self::STATE_PENDING ) ); // phpcs:ignore
	}

	/**
	 * Unix time at which the next pending row becomes due, or null when none is pending.
	 *
	 * @return int|null
	 */
	public function next_due_at() {
		$table = $this->table();
		$value = $this->db->get_var( $this->db->prepare( "SELECT MIN(next_attempt_at) FROM {$table} WHERE state = %s", self::STATE_PENDING ) ); // phpcs:ignore
		return null === $value ? null : (int) $value;
	}

	/**
	 * Most recent refused events, for the settings page.
	 *
	 * @param int $limit Most rows.
	 * @return array[] Rows with event_type, last_error, created_at.
	 */
	public function recent_rejections( $limit = 10 ) {
		$table = $this->table();
		return (array) $this->db->get_results(
			$this->db->prepare(
				"SELECT event_type, dedupe_key, last_error, created_at FROM {$table} WHERE state = %s ORDER BY id DESC LIMIT %d", // phpcs:ignore
				self::STATE_REJECTED,
				(int) $limit
			),
			ARRAY_A
		);
	}
}
