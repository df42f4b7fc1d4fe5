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
		$this->schedule_once( self::HOOK_FLUSH, array(), null === $timestamp ? time() : (int) $timestamp );
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
	 * Schedules a single run unless the same hook and arguments are already pending.
	 *
	 * @param string $hook      Hook name.
	 * @param array  $args      Arguments.
	 * @param int    $timestamp Unix time.
	 * @return void
	 */
	private function schedule_once( $hook, array $args, $timestamp ) {
		if ( $this->uses_action_scheduler() ) {
			if ( ! as_has_scheduled_action( $hook, $args, self::GROUP ) ) {
				as_schedule_single_action( $timestamp, $hook, $args, self::GROUP );
			}
			return;
		}
		if ( ! wp_next_scheduled( $hook, $args ) ) {
			wp_schedule_single_event( $timestamp, $hook, $args );
		}
	}
}
