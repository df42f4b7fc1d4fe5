<?php
/**
 * Background jobs on Action Scheduler, or WP-Cron when it is absent.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Jobs;

defined( 'ABSPATH' ) || exit;

/**
 * Schedules the plugin's three jobs: flush the outbox, poll commands every minute, export a
 * catalog page.
 *
 * Action Scheduler ships inside WooCommerce and logs every run (Tools → Scheduled Actions), so it
 * is preferred; WP-Cron is the fallback for the moments WooCommerce's copy is not loaded.
 */
class Scheduler {

	const GROUP          = 'tiktok-shop-sync';
	const HOOK_FLUSH     = 'tts_sync_flush_outbox';
	const HOOK_POLL      = 'tts_sync_poll_commands';
	const HOOK_EXPORT    = 'tts_sync_export_catalog';
	const CRON_SCHEDULE  = 'tts_sync_every_minute';
	const POLL_INTERVAL  = 60;
	// Action Scheduler 3.6+ claims lower numbers first: a flush never waits behind a command poll.
	const FLUSH_PRIORITY = 5;

	/**
	 * Called when a flush is wanted as soon as possible (the immediate delivery after the request).
	 *
	 * @var callable|null
	 */
	private $on_asap = null;

	/**
	 * Sets who is told when a flush is wanted as soon as possible.
	 *
	 * @param callable|null $listener Called without arguments.
	 * @return void
	 */
	public function on_asap( $listener ) {
		$this->on_asap = $listener;
	}

	/**
	 * Whether Action Scheduler's functions are available.
	 *
	 * @return bool
	 */
	public function uses_action_scheduler() {
		return function_exists( 'as_schedule_single_action' ) && function_exists( 'as_has_scheduled_action' );
	}

	/**
	 * Adds the one-minute interval WP-Cron lacks.
	 *
	 * @param array $schedules Existing schedules.
	 * @return array
	 */
	public static function add_cron_schedule( $schedules ) {
		$schedules[ self::CRON_SCHEDULE ] = array(
			'interval' => self::POLL_INTERVAL,
			'display'  => 'Every minute (TikTok Shop Sync)',
		);
		return $schedules;
	}

	/**
	 * Schedules an outbox flush at $timestamp unless one is already waiting.
	 *
	 * @param int|null $timestamp Unix time; null means as soon as possible.
	 * @return void
	 */
	public function schedule_flush( $timestamp = null ) {
		// The scheduled flush is the safety net; the listener delivers right after this request.
		$this->schedule_once( self::HOOK_FLUSH, array(), null === $timestamp ? time() : (int) $timestamp );
		if ( null === $timestamp && $this->on_asap ) {
			call_user_func( $this->on_asap );
		}
	}

	/**
	 * Schedules one catalog export page.
	 *
	 * @param int $page Page number, from 1.
	 * @return void
	 */
	public function schedule_export_page( $page ) {
		$this->schedule_once( self::HOOK_EXPORT, array( (int) $page ), time() );
	}

	/**
	 * Makes sure the per-minute command poll is scheduled.
	 *
	 * @return void
	 */
	public function ensure_poll() {
		if ( $this->uses_action_scheduler() ) {
			if ( ! as_has_scheduled_action( self::HOOK_POLL, array(), self::GROUP ) ) {
				as_schedule_recurring_action( time(), self::POLL_INTERVAL, self::HOOK_POLL, array(), self::GROUP, true );
			}
			return;
		}
		if ( ! wp_next_scheduled( self::HOOK_POLL ) ) {
			wp_schedule_event( time(), self::CRON_SCHEDULE, self::HOOK_POLL );
		}
	}

	/**
	 * Removes every scheduled job of the plugin from both schedulers.
	 *
	 * @return void
	 */
	public function unschedule_all() {
		if ( function_exists( 'as_unschedule_all_actions' ) ) {
			as_unschedule_all_actions( '', array(), self::GROUP );
		}
		foreach ( array( self::HOOK_FLUSH, self::HOOK_POLL, self::HOOK_EXPORT ) as $hook ) {
			wp_clear_scheduled_hook( $hook );
		}
	}

	/**
	 * Schedules a single run unless one with the same hook and arguments is already pending at or
	 * before $timestamp.
	 *
	 * Only *pending* actions count. Action Scheduler's as_has_scheduled_action() also counts the
	 * action that is running, so a flush job asking it whether its retry was already scheduled is
	 * always told yes and the retry is never scheduled. A pending run later than wanted does not
	 * count either: an earlier one is added (the later one then finds nothing to do).
	 *
	 * @param string $hook      Hook name.
	 * @param array  $args      Arguments.
	 * @param int    $timestamp Unix time.
	 * @return void
	 */
	private function schedule_once( $hook, array $args, $timestamp ) {
		if ( $this->uses_action_scheduler() ) {
			if ( ! $this->pending_by( $hook, $args, $timestamp ) ) {
				as_schedule_single_action( $timestamp, $hook, $args, self::GROUP, false, self::HOOK_FLUSH === $hook ? self::FLUSH_PRIORITY : 10 );
			}
			return;
		}
		$next = wp_next_scheduled( $hook, $args );
		if ( ! $next || $next > $timestamp ) {
			wp_schedule_single_event( $timestamp, $hook, $args );
		}
	}

	/**
	 * Whether a pending (not running) action of $hook with $args is due at or before $timestamp.
	 *
	 * @param string $hook      Hook name.
	 * @param array  $args      Arguments.
	 * @param int    $timestamp Unix time.
	 * @return bool
	 */
	private function pending_by( $hook, array $args, $timestamp ) {
		if ( ! function_exists( 'as_get_scheduled_actions' ) ) {
			return as_has_scheduled_action( $hook, $args, self::GROUP );
		}
		$found = as_get_scheduled_actions(
			array(
				'hook'         => $hook,
				'args'         => $args,
				'group'        => self::GROUP,
				'status'       => 'pending',
				'date'         => (int) $timestamp,
				'date_compare' => '<=',
				'per_page'     => 1,
				'orderby'      => 'none',
			),
			'ids'
		);
		return ! empty( $found );
	}
}
