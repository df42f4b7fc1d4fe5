<?php
/**
 * Refunds the WooCommerce order of a TikTok order (order.refund), and tells the hub about refunds the
 * merchant makes in WooCommerce (order.refunded).
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Orders;

use TikTokShopSync\ExtensionClient\Commands\CommandFailure;
use TikTokShopSync\Jobs\Scheduler;
use TikTokShopSync\Sync\Outbox;

defined( 'ABSPATH' ) || exit;

/**
 * One WooCommerce refund per TikTok return (docs/extension-api.md rule 7).
 *
 * The refund is made with wc_create_refund() for the lines and amounts TikTok refunded; the money is
 * not sent back through a payment gateway (TikTok has refunded the buyer). The refund carries the TikTok
 * return id in its meta, so a command handed out again reports the refund made before. Lines the hub
 * marks `restock` go back in stock (the items came back); the others do not.
 */
class OrderRefunder {

	const RETURN_META = '_tiktok_return_id';

	/**
	 * Set while this class refunds, so the store-side refund notice is not echoed back to the hub.
	 *
	 * @var bool
	 */
	public static $refunding = false;

	/**
	 * Order locator.
	 *
	 * @var OrderLocator
	 */
	private $locator;

	/**
	 * Outbox (store refunds to report); null when only commands are handled.
	 *
	 * @var Outbox|null
	 */
	private $outbox;

	/**
	 * Scheduler; null when only commands are handled.
	 *
	 * @var Scheduler|null
	 */
	private $scheduler;

	/**
	 * Constructor.
	 *
	 * @param OrderLocator   $locator   Order locator.
	 * @param Outbox|null    $outbox    Outbox.
	 * @param Scheduler|null $scheduler Scheduler.
	 */
	public function __construct( OrderLocator $locator, $outbox = null, $scheduler = null ) {
		$this->locator   = $locator;
		$this->outbox    = $outbox;
		$this->scheduler = $scheduler;
	}

	/**
	 * Registers the hook that reports the merchant's own refunds.
	 *
	 * @return void
	 */
	public function register() {
		add_action( 'woocommerce_order_refunded', array( $this, 'on_refunded' ), 20, 2 );
	}

	/**
	 * Carries out order.refund.
	 *
	 * @param array $payload The OrderRefund payload.
	 * @return array{platform_order_id:string,platform_refund_id:string}
	 * @throws CommandFailure When a field is missing, the order or a line is unknown, or WooCommerce refuses.
	 */
	public function refund( array $payload ) {
		foreach ( array( 'tiktok_order_id', 'tiktok_return_id', 'amount' ) as $field ) {
			if ( ! isset( $payload[ $field ] ) || '' === trim( (string) $payload[ $field ] ) ) {
				throw new CommandFailure( CommandFailure::MISSING_FIELD, "The refund has no {$field}." );
			}
		}
		$order = $this->locator->find( (string) $payload['tiktok_order_id'] );
		if ( ! $order ) {
			throw new CommandFailure( CommandFailure::PLATFORM_ERROR, 'No order in this store was created for TikTok order ' . $payload['tiktok_order_id'] . '.' );
		}
		$return_id = (string) $payload['tiktok_return_id'];
		foreach ( $order->get_refunds() as $made ) {
			if ( (string) $made->get_meta( self::RETURN_META ) === $return_id ) {
				return $this->result( $order, $made );
			}
		}
		$line_items = array();
		$restock    = array();
		foreach ( isset( $payload['lines'] ) && is_array( $payload['lines'] ) ? $payload['lines'] : array() as $line ) {
			$item = $this->item_for( $order, $line );
			if ( ! $item ) {
				throw new CommandFailure( CommandFailure::PRODUCT_DELETED, 'Store order ' . $order->get_order_number() . ' has no line for product ' . ( $line['variant_id'] ?? '?' ) . '.' );
			}
			$line_items[ $item->get_id() ] = array(
				'qty'          => (int) $line['quantity'],
				'refund_total' => wc_format_decimal( (string) $line['amount'] ),
				'refund_tax'   => array(),
			);
			if ( ! empty( $line['restock'] ) ) {
				$restock[] = array( $item, (int) $line['quantity'] );
			}
		}
		$reason          = isset( $payload['reason'] ) ? (string) $payload['reason'] : '';
		self::$refunding = true;
		try {
			$refund = wc_create_refund(
				array(
					'amount'         => wc_format_decimal( (string) $payload['amount'] ),
					/* translators: %s: the buyer's reason on TikTok Shop. */
					'reason'         => sprintf( __( 'Refunded on TikTok Shop: %s', 'tiktok-shop-sync' ), $reason ),
					'order_id'       => $order->get_id(),
					'line_items'     => $line_items,
					'refund_payment' => false,
					'restock_items'  => false,
				)
			);
		} finally {
			self::$refunding = false;
		}
		if ( is_wp_error( $refund ) ) {
			throw new CommandFailure( CommandFailure::PLATFORM_ERROR, 'WooCommerce refused the refund: ' . $refund->get_error_message() );
		}
		$refund->update_meta_data( self::RETURN_META, $return_id );
		$refund->save();
		foreach ( $restock as list( $item, $quantity ) ) {
			$product = $item->get_product();
			if ( $product && $product->managing_stock() ) {
				wc_update_product_stock( $product, $quantity, 'increase' );
			}
		}
		return $this->result( $order, $refund );
	}

	/**
	 * The order line of a refund line: by variation, then by product.
	 *
	 * @param \WC_Order $order Order.
	 * @param array     $line  Refund line.
	 * @return \WC_Order_Item_Product|null
	 */
	private function item_for( $order, array $line ) {
		foreach ( $order->get_items() as $item ) {
			$variant = (string) ( $item->get_variation_id() ? $item->get_variation_id() : $item->get_product_id() );
			if ( isset( $line['variant_id'] ) && (string) $line['variant_id'] === $variant ) {
				return $item;
			}
		}
		return null;
	}

	/**
	 * The command result.
	 *
	 * @param \WC_Order        $order  Order.
	 * @param \WC_Order_Refund $refund Refund.
	 * @return array
	 */
	private function result( $order, $refund ) {
		return array(
			'platform_order_id'  => (string) $order->get_order_number(),
			'platform_refund_id' => (string) $refund->get_id(),
		);
	}

	/**
	 * Reports a refund the merchant made in WooCommerce for a TikTok order (order.refunded).
	 *
	 * @param int $order_id  Order id.
	 * @param int $refund_id Refund id.
	 * @return void
	 */
	public function on_refunded( $order_id, $refund_id ) {
		if ( self::$refunding || ! $this->outbox ) {
			return;
		}
		$order  = wc_get_order( $order_id );
		$refund = wc_get_order( $refund_id );
		if ( ! $order || ! $refund || '' === (string) $order->get_meta( OrderLocator::META_KEY ) ) {
			return;
		}
		if ( '' !== (string) $refund->get_meta( self::RETURN_META ) ) {
			return; // made for order.refund: it started on TikTok.
		}
		$lines = array();
		foreach ( $refund->get_items() as $item ) {
			$quantity = abs( (int) $item->get_quantity() );
			if ( $quantity < 1 ) {
				continue;
			}
			$lines[] = array(
				'product_id' => (string) $item->get_product_id(),
				'variant_id' => (string) ( $item->get_variation_id() ? $item->get_variation_id() : $item->get_product_id() ),
				'quantity'   => $quantity,
				'amount'     => wc_format_decimal( abs( (float) $item->get_total() ), 2 ),
			);
		}
		if ( ! $lines ) {
			return; // an amount-only refund names no items: TikTok refunds items, so there is nothing to report.
		}
		$this->outbox->add(
			array(
				'id'                 => wp_generate_uuid4(),
				'type'               => 'order.refunded',
				'tiktok_order_id'    => (string) $order->get_meta( OrderLocator::META_KEY ),
				'platform_order_id'  => (string) $order->get_order_number(),
				'platform_refund_id' => (string) $refund->get_id(),
				'amount'             => wc_format_decimal( abs( (float) $refund->get_amount() ), 2 ),
				'currency'           => (string) $order->get_currency(),
				'reason'             => (string) $refund->get_reason(),
				'lines'              => $lines,
			),
			'order-refunded:' . $refund->get_id()
		);
		if ( $this->scheduler ) {
			$this->scheduler->schedule_flush();
		}
	}
}
