<?php
/**
 * Creates the WooCommerce order for a TikTok Shop order (order.create).
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Orders;

use TikTokShopSync\ExtensionClient\Commands\CommandDeferred;
use TikTokShopSync\ExtensionClient\Commands\CommandFailure;

defined( 'ABSPATH' ) || exit;

/**
 * Validates the canonical ORDER, matches its lines to products, and creates an HPOS-safe order
 * through WooCommerce's order CRUD only, at the prices TikTok charged.
 *
 * Idempotent by TikTok order id: an order that already exists is reported again with its number,
 * and a claim in the order map stops two workers that hold the same command from both creating it.
 */
class OrderImporter {

	const CREATED_VIA     = 'tiktok_shop';
	const CLAIM_STALE_SEC = 600;

	/**
	 * Order map.
	 *
	 * @var OrderMap
	 */
	private $map;

	/**
	 * Order locator.
	 *
	 * @var OrderLocator
	 */
	private $locator;

	/**
	 * Constructor.
	 *
	 * @param OrderMap     $map     Order map.
	 * @param OrderLocator $locator Order locator.
	 */
	public function __construct( OrderMap $map, OrderLocator $locator ) {
		$this->map     = $map;
		$this->locator = $locator;
	}

	/**
	 * Creates (or finds) the order.
	 *
	 * @param array $order Canonical ORDER.
	 * @return array{platform_order_id:string,created:bool}
	 * @throws CommandFailure  With a documented reason when the order cannot be created.
	 * @throws CommandDeferred When another worker is creating the same order right now.
	 */
	public function import( array $order ) {
		$tiktok_id = isset( $order['tiktok_order_id'] ) ? trim( (string) $order['tiktok_order_id'] ) : '';
		if ( '' === $tiktok_id ) {
			throw new CommandFailure( CommandFailure::MISSING_FIELD, 'The order has no tiktok_order_id.' );
		}

		$existing = $this->locator->find( $tiktok_id );
		if ( $existing ) {
			return array(
				'platform_order_id' => (string) $existing->get_order_number(),
				'created'           => false,
			);
		}

		$this->validate( $order );
		$lines = $this->resolve_lines( $order['lines'] );

		if ( ! $this->map->claim( $tiktok_id ) ) {
			$existing = $this->locator->find( $tiktok_id );
			if ( $existing ) {
				return array(
					'platform_order_id' => (string) $existing->get_order_number(),
					'created'           => false,
				);
			}
			if ( ! $this->map->take_over_stale_claim( $tiktok_id, self::CLAIM_STALE_SEC ) ) {
				throw new CommandDeferred( 'TikTok order ' . $tiktok_id . ' is being created by another worker.' );
			}
		}

		try {
			$wc_order = $this->create( $order, $tiktok_id, $lines );
		} catch ( CommandFailure $e ) {
			$this->map->release( $tiktok_id );
			throw $e;
		} catch ( \Throwable $e ) {
			$this->map->release( $tiktok_id );
			throw new CommandFailure( CommandFailure::PLATFORM_ERROR, 'WooCommerce could not create the order: ' . $e->getMessage(), true );
		}

		return array(
			'platform_order_id' => (string) $wc_order->get_order_number(),
			'created'           => true,
		);
	}

	/**
	 * Checks required fields and the address; names the first problem found.
	 *
	 * @param array $order Canonical ORDER.
	 * @return void
	 * @throws CommandFailure MISSING_FIELD or INVALID_ADDRESS.
	 */
	public function validate( array $order ) {
		if ( empty( $order['lines'] ) || ! is_array( $order['lines'] ) ) {
			throw new CommandFailure( CommandFailure::MISSING_FIELD, 'The order has no lines.' );
		}
		if ( empty( $order['currency'] ) || ! preg_match( '/^[A-Z]{3}$/', (string) $order['currency'] ) ) {
			throw new CommandFailure( CommandFailure::MISSING_FIELD, 'The order has no valid currency (expected a code such as GBP).' );
		}
		foreach ( array_values( $order['lines'] ) as $index => $line ) {
			$number = $index + 1;
			if ( ! is_array( $line ) ) {
				throw new CommandFailure( CommandFailure::MISSING_FIELD, "Order line {$number} is not an object." );
			}
			if ( empty( $line['variant_id'] ) && empty( $line['product_id'] ) && empty( $line['sku'] ) ) {
				throw new CommandFailure( CommandFailure::MISSING_FIELD, "Order line {$number} names no product, variant or SKU." );
			}
			if ( ! isset( $line['quantity'] ) || ! is_int( $line['quantity'] ) || $line['quantity'] < 1 ) {
				throw new CommandFailure( CommandFailure::MISSING_FIELD, "Order line {$number} has no positive whole quantity." );
			}
			if ( ! isset( $line['unit_price'] ) || ! is_numeric( $line['unit_price'] ) || (float) $line['unit_price'] < 0 ) {
				throw new CommandFailure( CommandFailure::MISSING_FIELD, "Order line {$number} has no unit_price." );
			}
		}
		if ( ! isset( $order['totals']['total'] ) || ! is_numeric( $order['totals']['total'] ) ) {
			throw new CommandFailure( CommandFailure::MISSING_FIELD, 'The order has no totals.total.' );
		}

		$address = isset( $order['shipping_address'] ) && is_array( $order['shipping_address'] ) ? $order['shipping_address'] : null;
		if ( ! $address ) {
			throw new CommandFailure( CommandFailure::INVALID_ADDRESS, 'The order has no shipping address.' );
		}
		$missing = array();
		foreach ( array( 'name', 'line1', 'city', 'postal_code', 'country_code' ) as $field ) {
			if ( ! isset( $address[ $field ] ) || '' === trim( (string) $address[ $field ] ) ) {
				$missing[] = $field;
			}
		}
		if ( $missing ) {
			throw new CommandFailure( CommandFailure::INVALID_ADDRESS, 'The shipping address lacks: ' . implode( ', ', $missing ) . '.' );
		}
		$country = strtoupper( trim( (string) $address['country_code'] ) );
		$known   = ( function_exists( 'WC' ) && WC()->countries ) ? WC()->countries->get_countries() : array();
		if ( ! preg_match( '/^[A-Z]{2}$/', $country ) || ( $known && ! isset( $known[ $country ] ) ) ) {
			throw new CommandFailure( CommandFailure::INVALID_ADDRESS, 'The shipping address country "' . $address['country_code'] . '" is not a country code WooCommerce knows.' );
		}
	}

	/**
	 * Finds the product for every line and checks stock.
	 *
	 * @param array[] $lines Order lines.
	 * @return array[] Lines with a "product" key.
	 * @throws CommandFailure PRODUCT_DELETED, MISSING_FIELD or OUT_OF_STOCK.
	 */
	private function resolve_lines( array $lines ) {
		$resolved = array();
		$wanted   = array();
		foreach ( array_values( $lines ) as $index => $line ) {
			$number  = $index + 1;
			$product = null;
			foreach ( array( 'variant_id', 'product_id' ) as $key ) {
				if ( ! empty( $line[ $key ] ) ) {
					$product = wc_get_product( (int) $line[ $key ] );
					break;
				}
			}
			if ( ( ! $product || 'trash' === $product->get_status() ) && ! empty( $line['sku'] ) ) {
				$by_sku  = wc_get_product_id_by_sku( (string) $line['sku'] );
				$product = $by_sku ? wc_get_product( $by_sku ) : null;
			}
			$label = $this->line_label( $line, $number );
			if ( ! $product || 'trash' === $product->get_status() ) {
				throw new CommandFailure( CommandFailure::PRODUCT_DELETED, "The product of {$label} no longer exists in the store. Restore it or create the order by hand, then retry." );
			}
			if ( $product->is_type( 'variable' ) ) {
				throw new CommandFailure( CommandFailure::MISSING_FIELD, "{$label} names the variable product {$product->get_id()} but no variation." );
			}
			$stock_id            = (int) $product->get_stock_managed_by_id();
			$wanted[ $stock_id ] = ( isset( $wanted[ $stock_id ] ) ? $wanted[ $stock_id ] : 0 ) + (int) $line['quantity'];
			if ( $product->managing_stock() && ! $product->backorders_allowed() && (int) $product->get_stock_quantity() < $wanted[ $stock_id ] ) {
				throw new CommandFailure(
					CommandFailure::OUT_OF_STOCK,
					sprintf( '%s asks for %d but the store has %d in stock. Add stock or allow backorders, then retry.', $label, $wanted[ $stock_id ], (int) $product->get_stock_quantity() )
				);
			}
			if ( ! $product->managing_stock() && 'outofstock' === $product->get_stock_status() ) {
				throw new CommandFailure( CommandFailure::OUT_OF_STOCK, "{$label} is marked out of stock in the store. Mark it in stock, then retry." );
			}
			$line['product'] = $product;
			$resolved[]      = $line;
		}
		return $resolved;
	}

	/**
	 * Human reference to a line for messages.
	 *
	 * @param array $line   Order line.
	 * @param int   $number Line number from 1.
	 * @return string
	 */
	private function line_label( array $line, $number ) {
		$parts = array();
		if ( ! empty( $line['sku'] ) ) {
			$parts[] = 'SKU ' . $line['sku'];
		}
		if ( ! empty( $line['variant_id'] ) ) {
			$parts[] = 'variant ' . $line['variant_id'];
		}
		if ( ! empty( $line['product_id'] ) ) {
			$parts[] = 'product ' . $line['product_id'];
		}
		return 'Order line ' . $number . ( $parts ? ' (' . implode( ', ', $parts ) . ')' : '' );
	}

	/**
	 * Creates and saves the order.
	 *
	 * @param array   $order     Canonical ORDER.
	 * @param string  $tiktok_id TikTok order id.
	 * @param array[] $lines     Resolved lines.
	 * @return \WC_Order
	 * @throws CommandFailure PLATFORM_ERROR when WooCommerce refuses.
	 */
	private function create( array $order, $tiktok_id, array $lines ) {
		$wc_order = wc_create_order(
			array(
				'status'      => 'pending',
				'created_via' => self::CREATED_VIA,
			)
		);
		if ( is_wp_error( $wc_order ) ) {
			throw new CommandFailure( CommandFailure::PLATFORM_ERROR, 'WooCommerce could not create the order: ' . $wc_order->get_error_message(), true );
		}

		try {
			$totals = isset( $order['totals'] ) && is_array( $order['totals'] ) ? $order['totals'] : array();
			// wc_create_order() stamps the order with the request that ran it (a cron run, the hub's
			// wake-up call): those are not the buyer's, so they are left empty.
			$wc_order->set_customer_ip_address( '' );
			$wc_order->set_customer_user_agent( '' );
			$placed = $this->placed_at( $order );
			if ( null !== $placed ) {
				$wc_order->set_date_created( $placed );
			}
			$wc_order->set_currency( (string) $order['currency'] );
			$wc_order->set_prices_include_tax( true );
			foreach ( $lines as $line ) {
				$amount = (float) $line['unit_price'] * (int) $line['quantity'];
				$wc_order->add_product(
					$line['product'],
					(int) $line['quantity'],
					array(
						'subtotal' => $amount,
						'total'    => $amount,
					)
				);
			}

			$addresses = $this->addresses( $order );
			$wc_order->set_address( $addresses['billing'], 'billing' );
			$wc_order->set_address( $addresses['shipping'], 'shipping' );

			$shipping_total = isset( $totals['shipping'] ) && is_numeric( $totals['shipping'] ) ? (float) $totals['shipping'] : 0.0;
			$shipping_item  = new \WC_Order_Item_Shipping();
			$shipping_item->set_method_title( __( 'TikTok Shop shipping', 'tiktok-shop-sync' ) );
			$shipping_item->set_method_id( self::CREATED_VIA );
			$shipping_item->set_total( $shipping_total );
			$wc_order->add_item( $shipping_item );

			$payment_title = ! empty( $order['payment_method'] ) ? 'TikTok Shop (' . $order['payment_method'] . ')' : 'TikTok Shop';
			$wc_order->set_payment_method( TikTokShopGateway::ID );
			$wc_order->set_payment_method_title( $payment_title );
			if ( ! empty( $order['note'] ) ) {
				$wc_order->set_customer_note( (string) $order['note'] );
			}

			// Keep TikTok's figures exactly: calculate_totals() would re-price from the store's settings.
			$wc_order->set_shipping_total( $shipping_total );
			$wc_order->set_discount_total( isset( $totals['discount'] ) && is_numeric( $totals['discount'] ) ? (float) $totals['discount'] : 0.0 );
			$wc_order->set_total( (float) $totals['total'] );

			$wc_order->update_meta_data( OrderLocator::META_KEY, $tiktok_id );
			$wc_order->update_meta_data( '_tiktok_order_status', isset( $order['status'] ) ? (string) $order['status'] : '' );
			$wc_order->update_meta_data( '_tiktok_totals', $totals );
			if ( ! empty( $order['created_at'] ) ) {
				$wc_order->update_meta_data( '_tiktok_created_at', (string) $order['created_at'] );
			}
			$wc_order->save();
			$this->map->attach( $tiktok_id, $wc_order->get_id() );

			$wc_order->set_status(
				'processing',
				/* translators: %s: TikTok order id. */
				sprintf( __( 'Imported from TikTok Shop order %s.', 'tiktok-shop-sync' ), $tiktok_id )
			);
			$wc_order->save();
			$wc_order->add_order_note(
				sprintf(
					/* translators: 1: TikTok order id, 2: total, 3: currency, 4: tax included, 5: import time (UTC). */
					__( 'TikTok Shop order %1$s: charged %2$s %3$s (tax included: %4$s). Imported into the store on %5$s UTC; the order date is the time it was placed on TikTok. Ship it from TikTok Seller Center or mark it completed with a tracking number here.', 'tiktok-shop-sync' ),
					$tiktok_id,
					(string) $totals['total'],
					(string) $order['currency'],
					isset( $totals['tax'] ) ? (string) $totals['tax'] : '0.00',
					gmdate( 'Y-m-d H:i:s' )
				)
			);
		} catch ( \Throwable $e ) {
			if ( $wc_order->get_id() ) {
				$wc_order->delete( true );
			}
			throw $e;
		}
		return $wc_order;
	}

	/**
	 * When the buyer placed the order on TikTok, as a Unix time, or null when unknown or in the future.
	 *
	 * @param array $order Canonical ORDER.
	 * @return int|null
	 */
	private function placed_at( array $order ) {
		if ( empty( $order['created_at'] ) || ! is_string( $order['created_at'] ) ) {
			return null;
		}
		$time = strtotime( $order['created_at'] );
		return ( false === $time || $time > time() + 300 ) ? null : $time;
	}

	/**
	 * Billing and shipping addresses in WooCommerce's shape.
	 *
	 * @param array $order Canonical ORDER.
	 * @return array{billing:array,shipping:array}
	 */
	private function addresses( array $order ) {
		$address = $order['shipping_address'];
		$buyer   = isset( $order['buyer'] ) && is_array( $order['buyer'] ) ? $order['buyer'] : array();
		$name    = trim( (string) $address['name'] );
		$space   = strpos( $name, ' ' );
		$first   = false === $space ? $name : substr( $name, 0, $space );
		$last    = false === $space ? '' : trim( substr( $name, $space + 1 ) );
		$phone   = ! empty( $address['phone'] ) ? (string) $address['phone'] : ( isset( $buyer['phone'] ) ? (string) $buyer['phone'] : '' );
		$shared  = array(
			'first_name' => $first,
			'last_name'  => $last,
			'address_1'  => (string) $address['line1'],
			'address_2'  => isset( $address['line2'] ) ? (string) $address['line2'] : '',
			'city'       => (string) $address['city'],
			'state'      => isset( $address['region'] ) ? (string) $address['region'] : '',
			'postcode'   => (string) $address['postal_code'],
			'country'    => strtoupper( (string) $address['country_code'] ),
			'phone'      => $phone,
		);
		$billing  = $shared;
		if ( ! empty( $buyer['name'] ) ) {
			$buyer_name            = trim( (string) $buyer['name'] );
			$buyer_space           = strpos( $buyer_name, ' ' );
			$billing['first_name'] = false === $buyer_space ? $buyer_name : substr( $buyer_name, 0, $buyer_space );
			$billing['last_name']  = false === $buyer_space ? '' : trim( substr( $buyer_name, $buyer_space + 1 ) );
		}
		$billing['email'] = isset( $buyer['email'] ) ? (string) $buyer['email'] : '';
		return array(
			'billing'  => $billing,
			'shipping' => $shared,
		);
	}
}
