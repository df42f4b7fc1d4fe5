<?php
/**
 * Action Scheduler's public functions, backed by one option, with a runner that executes due actions
 * the way the queue runner does (do_action with the stored arguments).
 *
 * @package TikTokShopSync\Tests
 */

defined( 'ABSPATH' ) || exit;

function wc_fake_as_store( $actions = null ) {
	if ( null === $actions ) {
		$stored = get_option( 'wc_fake_action_scheduler', array() );
		return is_array( $stored ) ? $stored : array();
	}
	update_option( 'wc_fake_action_scheduler', $actions, false );
	return $actions;
}
function wc_fake_as_add( $timestamp, $hook, $args, $group, $interval = 0 ) {
	$actions = wc_fake_as_store();
	$id      = (int) get_option( 'wc_fake_action_scheduler_next_id', 1 );
	update_option( 'wc_fake_action_scheduler_next_id', $id + 1, false );
	$actions[ $id ] = array( 'hook' => $hook, 'args' => array_values( (array) $args ), 'group' => $group, 'timestamp' => (int) $timestamp, 'interval' => (int) $interval, 'status' => 'pending' );
	wc_fake_as_store( $actions );
	return $id;
}
function as_schedule_single_action( $timestamp, $hook, $args = array(), $group = '', $unique = false, $priority = 10 ) {
	if ( $unique && as_has_scheduled_action( $hook, $args, $group ) ) {
		return 0;
	}
	return wc_fake_as_add( $timestamp, $hook, $args, $group );
}
function as_enqueue_async_action( $hook, $args = array(), $group = '', $unique = false, $priority = 10 ) {
	return as_schedule_single_action( time(), $hook, $args, $group, $unique, $priority );
}
function as_schedule_recurring_action( $timestamp, $interval_in_seconds, $hook, $args = array(), $group = '', $unique = false, $priority = 10 ) {
	if ( $unique && as_has_scheduled_action( $hook, $args, $group ) ) {
		return 0;
	}
	return wc_fake_as_add( $timestamp, $hook, $args, $group, $interval_in_seconds );
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
function as_next_scheduled_action( $hook, $args = null, $group = '' ) {
	$next = false;
	foreach ( wc_fake_as_store() as $action ) {
		if ( $action['hook'] === $hook && 'pending' === $action['status'] && ( null === $args || array_values( (array) $args ) === $action['args'] ) && ( '' === $group || $group === $action['group'] ) ) {
			$next = false === $next ? $action['timestamp'] : min( $next, $action['timestamp'] );
		}
	}
	return $next;
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
/** Runs due actions once (ActionScheduler_QueueRunner::run), returns the hooks that ran. */
function wc_fake_as_run_due( $now = null ) {
	$now = null === $now ? time() : (int) $now;
	$ran = array();
	foreach ( wc_fake_as_store() as $id => $action ) {
		if ( 'pending' !== $action['status'] || $action['timestamp'] > $now ) {
			continue;
		}
		$actions                  = wc_fake_as_store();
		$actions[ $id ]['status'] = 'in-progress';
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
