<?php
/**
 * Tells the hub when a TikTok order is shipped or cancelled in WooCommerce.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Orders;

use TikTokShopSync\ExtensionClient\Events\EventFactory;
use TikTokShopSync\Jobs\Scheduler;
use TikTokShopSync\Sync\Outbox;

defined( 'ABSPATH' ) || exit;

/**
 * Sends order.fulfilled when a TikTok order is completed with a tracking number, and order.cancelled
 * when the merchant cancels one.
 *
 * The tracking number is read from the Shipment Tracking extension's _wc_shipment_tracking_items
 * meta, or from plain _tracking_number / _tracking_provider meta that other shipping plugins write.
 * If it is added after the order was completed, the next save of the order sends the event; an order
 * note says when a completed TikTok order still lacks one.
 */
class OrderStatusNotifier {

	const SENT_META    = '_tiktok_fulfilment_sent';
	const WARNED_META  = '_tiktok_fulfilment_missing_noted';

	/**
	 * Outbox.
	 *
	 * @var Outbox
	 */
	private $outbox;

	/**
	 * Event factory.
	 *
	 * @var EventFactory
	 */
	private $events;

	/**
	 * Scheduler.
	 *
	 * @var Scheduler
	 */
	private $scheduler;

	/**
	 * Returns a carrier's name for a slug stored by a tracking plugin, or null.
	 *
	 * @var callable|null
	 */
	private $provider_name;

	/**
	 * Constructor.
	 *
	 * @param Outbox        $outbox        Outbox.
	 * @param EventFactory  $events        Event factory.
	 * @param Scheduler     $scheduler     Scheduler.
	 * @param callable|null $provider_name Carrier name for a stored slug (Advanced Shipment Tracking).
	 */
	public function __construct( Outbox $outbox, EventFactory $events, Scheduler $scheduler, $provider_name = null ) {
		$this->outbox        = $outbox;
		$this->events        = $events;
		$this->scheduler     = $scheduler;
		$this->provider_name = $provider_name;
	}

	/**
	 * Registers the hooks.
	 *
	 * @return void
	 */
	public function register() {
		add_action( 'woocommerce_order_status_completed', array( $this, 'on_completed' ), 20, 2 );
		add_action( 'woocommerce_update_order', array( $this, 'on_order_saved' ), 20, 2 );
		add_action( 'woocommerce_order_status_cancelled', array( $this, 'on_cancelled' ), 20, 2 );
	}

	/**
	 * The order reached "completed".
	 *
	 * @param int            $order_id Order id.
	 * @param \WC_Order|null $order    Order.
	 * @return void
	 */
	public function on_completed( $order_id, $order = null ) {
		$order = $order ? $order : wc_get_order( $order_id );
		if ( ! $order || ! $this->is_tiktok_order( $order ) || $order->get_meta( self::SENT_META ) ) {
			return;
		}
		if ( ! $this->send_fulfilment( $order ) && ! $order->get_meta( self::WARNED_META ) ) {
			$order->update_meta_data( self::WARNED_META, 1 );
			$order->add_order_note( __( 'TikTok Shop needs a tracking number for this order: add one (Shipment Tracking) and save the order to send it.', 'tiktok-shop-sync' ) );
			$order->save_meta_data();
		}
	}

	/**
	 * Any order save: sends a tracking number added after completion.
	 *
	 * @param int            $order_id Order id.
	 * @param \WC_Order|null $order    Order.
	 * @return void
	 */
	public function on_order_saved( $order_id, $order = null ) {
		$order = $order ? $order : wc_get_order( $order_id );
		if ( ! $order || ! $order->has_status( 'completed' ) || ! $this->is_tiktok_order( $order ) || $order->get_meta( self::SENT_META ) ) {
			return;
		}
		$this->send_fulfilment( $order );
	}

	/**
	 * The merchant cancelled a TikTok order in WooCommerce.
	 *
	 * @param int            $order_id Order id.
	 * @param \WC_Order|null $order    Order.
	 * @return void
	 */
	public function on_cancelled( $order_id, $order = null ) {
		if ( OrderCanceller::$cancelling ) {
			return;
		}
		$order = $order ? $order : wc_get_order( $order_id );
		if ( ! $order || ! $this->is_tiktok_order( $order ) ) {
			return;
		}
		$this->outbox->add(
			$this->events->orderCancelled(
				(string) $order->get_meta( OrderLocator::META_KEY ),
				(string) $order->get_order_number(),
				__( 'Cancelled by the merchant in WooCommerce.', 'tiktok-shop-sync' )
			),
			'order-cancelled:' . $order->get_id()
		);
		$this->scheduler->schedule_flush();
	}

	/**
	 * Tracking number and carrier of an order.
	 *
	 * Read from what the tracking plugins merchants use store on the order: the
	 * _wc_shipment_tracking_items list written by WooCommerce Shipment Tracking and by Advanced
	 * Shipment Tracking (carrier as a slug such as "royal-mail", or a custom name), AfterShip's
	 * _aftership_tracking_items, then plain _tracking_number / _tracking_provider meta. The newest item
	 * wins. The hub maps the carrier (slug or name) to one of TikTok's shipping providers.
	 *
	 * @param \WC_Order     $order          Order.
	 * @param callable|null $provider_name  Returns a carrier's name for a stored slug, or null.
	 * @return array{tracking_number:string,carrier:string,shipped_at:string|null}|null
	 */
	public static function tracking( $order, $provider_name = null ) {
		$items = $order->get_meta( '_wc_shipment_tracking_items' );
		if ( is_array( $items ) ) {
			foreach ( array_reverse( $items ) as $item ) {
				if ( ! is_array( $item ) || empty( $item['tracking_number'] ) ) {
					continue;
				}
				$carrier = trim( (string) ( isset( $item['custom_tracking_provider'] ) ? $item['custom_tracking_provider'] : '' ) );
				if ( '' === $carrier ) {
					$slug    = trim( (string) ( isset( $item['tracking_provider'] ) ? $item['tracking_provider'] : '' ) );
					$name    = ( '' !== $slug && $provider_name ) ? call_user_func( $provider_name, $slug ) : null;
					$carrier = $name ? (string) $name : $slug;
				}
				return array(
					'tracking_number' => trim( (string) $item['tracking_number'] ),
					'carrier'         => '' !== $carrier ? $carrier : 'Other',
					'shipped_at'      => ! empty( $item['date_shipped'] ) && is_numeric( $item['date_shipped'] ) ? gmdate( 'c', (int) $item['date_shipped'] ) : null,
				);
			}
		}
		$items = $order->get_meta( '_aftership_tracking_items' );
		if ( is_array( $items ) ) {
			foreach ( array_reverse( $items ) as $item ) {
				if ( ! is_array( $item ) || empty( $item['tracking_number'] ) ) {
					continue;
				}
				$carrier = trim( (string) ( isset( $item['slug'] ) ? $item['slug'] : '' ) );
				return array(
					'tracking_number' => trim( (string) $item['tracking_number'] ),
					'carrier'         => '' !== $carrier ? $carrier : 'Other',
					'shipped_at'      => ! empty( $item['tracking_ship_date'] ) && is_numeric( $item['tracking_ship_date'] ) ? gmdate( 'c', (int) $item['tracking_ship_date'] ) : null,
				);
			}
		}
		$number = trim( (string) $order->get_meta( '_tracking_number' ) );
		if ( '' !== $number ) {
			$carrier = trim( (string) $order->get_meta( '_tracking_provider' ) );
			if ( '' === $carrier ) {
				$carrier = trim( (string) $order->get_meta( '_shipping_provider' ) );
			}
			return array(
				'tracking_number' => $number,
				'carrier'         => '' !== $carrier ? $carrier : 'Other',
				'shipped_at'      => null,
			);
		}
		return null;
	}

	/**
	 * Queues order.fulfilled when a tracking number exists.
	 *
	 * @param \WC_Order $order Order.
	 * @return bool Whether the event was queued.
	 */
	private function send_fulfilment( $order ) {
		$tracking = self::tracking( $order, $this->provider_name );
		if ( ! $tracking ) {
			return false;
		}
		$completed = $order->get_date_completed();
		$this->outbox->add(
			$this->events->orderFulfilled(
				(string) $order->get_meta( OrderLocator::META_KEY ),
				(string) $order->get_order_number(),
				(string) $tracking['tracking_number'],
				(string) $tracking['carrier'],
				(string) ( $tracking['shipped_at'] ? $tracking['shipped_at'] : ( $completed ? $completed->date( 'c' ) : gmdate( 'c' ) ) )
			),
			'order-fulfilled:' . $order->get_id()
		);
		$order->update_meta_data( self::SENT_META, time() );
		$order->save_meta_data();
		$this->scheduler->schedule_flush();
		return true;
	}

	/**
	 * Whether the order came from TikTok Shop.
	 *
	 * @param \WC_Order $order Order.
	 * @return bool
	 */
	private function is_tiktok_order( $order ) {
		return '' !== (string) $order->get_meta( OrderLocator::META_KEY );
	}
}
