<?php
/**
 * Action Scheduler's public functions, backed by one option, with a runner that executes due actions
 * the way the queue runner does (do_action with the stored arguments).
 *
 * As in Action Scheduler 3.8 (WooCommerce 9.4): the action being run has the status "in-progress"
 * while its callback runs, and as_has_scheduled_action() / as_next_scheduled_action() count it,
 * so a job asking "is one already scheduled?" about its own hook is told yes.
 *
 * @package TikTokShopSync\Tests
 */

defined( 'ABSPATH' ) || exit;

/** Status names of ActionScheduler_Store. */
abstract class ActionScheduler_Store {
	const STATUS_COMPLETE = 'complete';
	const STATUS_PENDING  = 'pending';
	const STATUS_RUNNING  = 'in-progress';
	const STATUS_FAILED   = 'failed';
	const STATUS_CANCELED = 'canceled';
}

function wc_fake_as_store( $actions = null ) {
	if ( null === $actions ) {
		$stored = get_option( 'wc_fake_action_scheduler', array() );
		return is_array( $stored ) ? $stored : array();
	}
	update_option( 'wc_fake_action_scheduler', $actions, false );
	return $actions;
}
function wc_fake_as_add( $timestamp, $hook, $args, $group, $interval = 0, $priority = 10 ) {
	$actions = wc_fake_as_store();
	$id      = (int) get_option( 'wc_fake_action_scheduler_next_id', 1 );
	update_option( 'wc_fake_action_scheduler_next_id', $id + 1, false );
	$actions[ $id ] = array( 'hook' => $hook, 'args' => array_values( (array) $args ), 'group' => $group, 'timestamp' => (int) $timestamp, 'interval' => (int) $interval, 'status' => 'pending', 'priority' => (int) $priority );
	wc_fake_as_store( $actions );
	return $id;
}
function as_schedule_single_action( $timestamp, $hook, $args = array(), $group = '', $unique = false, $priority = 10 ) {
	if ( $unique && as_has_scheduled_action( $hook, $args, $group ) ) {
		return 0;
	}
	return wc_fake_as_add( $timestamp, $hook, $args, $group, 0, $priority );
}
function as_enqueue_async_action( $hook, $args = array(), $group = '', $unique = false, $priority = 10 ) {
	return as_schedule_single_action( time(), $hook, $args, $group, $unique, $priority );
}
function as_schedule_recurring_action( $timestamp, $interval_in_seconds, $hook, $args = array(), $group = '', $unique = false, $priority = 10 ) {
	if ( $unique && as_has_scheduled_action( $hook, $args, $group ) ) {
		return 0;
	}
	return wc_fake_as_add( $timestamp, $hook, $args, $group, $interval_in_seconds, $priority );
}
function as_has_scheduled_action( $hook, $args = null, $group = '' ) {
	foreach ( wc_fake_as_store() as $action ) {
		if ( $action['hook'] === $hook && in_array( $action['status'], array( 'pending', 'in-progress' ), true )
			&& ( null === $args || array_values( (array) $args ) === $action['args'] ) && ( '' === $group || $group === $action['group'] ) ) {
			return true;
		}
	}
	return false;
}
/** As in Action Scheduler: true while such an action runs, else the next pending one's time, else false. */
function as_next_scheduled_action( $hook, $args = null, $group = '' ) {
	$next = false;
	foreach ( wc_fake_as_store() as $action ) {
		if ( $action['hook'] !== $hook || ( null !== $args && array_values( (array) $args ) !== $action['args'] ) || ( '' !== $group && $group !== $action['group'] ) ) {
			continue;
		}
		if ( ActionScheduler_Store::STATUS_RUNNING === $action['status'] ) {
			return true;
		}
		if ( 'pending' === $action['status'] ) {
			$next = false === $next ? $action['timestamp'] : min( $next, $action['timestamp'] );
		}
	}
	return $next;
}
/**
 * as_get_scheduled_actions() with the query arguments of ActionScheduler_Store::query_actions() this
 * plugin uses: hook, args, group, status, date (Unix time or DateTime) with date_compare, per_page.
 */
function as_get_scheduled_actions( $args = array(), $return_format = OBJECT ) {
	$args    = wp_parse_args( $args, array( 'hook' => '', 'args' => null, 'group' => '', 'status' => '', 'date' => null, 'date_compare' => '<=', 'per_page' => 5 ) );
	$date    = $args['date'] instanceof DateTimeInterface ? $args['date']->getTimestamp() : ( null === $args['date'] ? null : ( is_numeric( $args['date'] ) ? (int) $args['date'] : strtotime( $args['date'] ) ) );
	$compare = array(
		'<='  => static function ( $a, $b ) { return $a <= $b; },
		'<'   => static function ( $a, $b ) { return $a < $b; },
		'>='  => static function ( $a, $b ) { return $a >= $b; },
		'>'   => static function ( $a, $b ) { return $a > $b; },
		'='   => static function ( $a, $b ) { return $a === $b; },
		'!='  => static function ( $a, $b ) { return $a !== $b; },
	);
	$found = array();
	foreach ( wc_fake_as_store() as $id => $action ) {
		if ( ( '' !== $args['hook'] && $args['hook'] !== $action['hook'] ) || ( null !== $args['args'] && array_values( (array) $args['args'] ) !== $action['args'] )
			|| ( '' !== $args['group'] && $args['group'] !== $action['group'] ) || ( '' !== $args['status'] && ! in_array( $action['status'], (array) $args['status'], true ) )
			|| ( null !== $date && ! $compare[ $args['date_compare'] ]( $action['timestamp'], $date ) ) ) {
			continue;
		}
		$found[ $id ] = $action;
	}
	uasort( $found, static function ( $a, $b ) { return $a['timestamp'] <=> $b['timestamp']; } );
	if ( $args['per_page'] > 0 ) {
		$found = array_slice( $found, 0, (int) $args['per_page'], true );
	}
	return 'ids' === $return_format ? array_keys( $found ) : $found;
}
function as_unschedule_all_actions( $hook, $args = array(), $group = '' ) {
	$actions = wc_fake_as_store();
	foreach ( $actions as $id => $action ) {
		if ( ( '' === $hook || $hook === $action['hook'] ) && ( '' === $group || $group === $action['group'] ) && 'pending' === $action['status'] ) {
			unset( $actions[ $id ] );
		}
	}
	wc_fake_as_store( $actions );
}
/**
 * Runs due actions once (ActionScheduler_QueueRunner::run), in the claim order of Action Scheduler
 * 3.6+ (priority, then scheduled date, then id), and returns the hooks that ran.
 */
function wc_fake_as_run_due( $now = null ) {
	$now = null === $now ? time() : (int) $now;
	$ran = array();
	$due = wc_fake_as_store();
	uksort(
		$due,
		static function ( $a, $b ) use ( $due ) {
			return array( $due[ $a ]['priority'] ?? 10, $due[ $a ]['timestamp'], $a ) <=> array( $due[ $b ]['priority'] ?? 10, $due[ $b ]['timestamp'], $b );
		}
	);
	foreach ( $due as $id => $action ) {
		if ( 'pending' !== $action['status'] || $action['timestamp'] > $now ) {
			continue;
		}
		$actions = wc_fake_as_store();
		if ( ! isset( $actions[ $id ] ) || 'pending' !== $actions[ $id ]['status'] ) {
			continue; // Unscheduled by an action that ran before it.
		}
		$actions[ $id ]['status'] = ActionScheduler_Store::STATUS_RUNNING;
		wc_fake_as_store( $actions );
		do_action_ref_array( $action['hook'], $action['args'] );
		$ran[]   = $action['hook'];
		$actions = wc_fake_as_store();
		if ( $action['interval'] > 0 ) {
			$actions[ $id ]['status']    = 'pending';
			$actions[ $id ]['timestamp'] = $now + $action['interval'];
		} else {
			unset( $actions[ $id ] );
		}
		wc_fake_as_store( $actions );
	}
	return $ran;
}
