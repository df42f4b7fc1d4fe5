<?php
/**
 * order.refund from the live hub refunds the WooCommerce order once, with the lines, amounts and
 * restock TikTok gave; a refund made in WooCommerce goes to the hub as order.refunded.
 *
 * @package TikTokShopSync\Tests
 */

use TikTokShopSync\Plugin;

/**
 * Refunds both ways.
 */
class OrderRefundTest extends IntegrationTestCase {

	private function poll() {
		$summary = Plugin::instance()->run_poll( 0 );
		$this->assertSame( '', $summary['error'] );
		return $summary;
	}

	private function two_line_order( $tiktok_id, $first, $second ) {
		$lines = array(
			array( 'product_id' => (string) $first->get_id(), 'variant_id' => (string) $first->get_id(), 'quantity' => 2, 'unit_price' => '9.99' ),
			array( 'product_id' => (string) $second->get_id(), 'variant_id' => (string) $second->get_id(), 'quantity' => 1, 'unit_price' => '5.00' ),
		);
		LiveHub::get()->create_command( 'order.create', array( 'order' => $this->order_payload( $tiktok_id, $lines ) ) );
		$this->poll();
		return wc_get_order( $this->orders_for( $tiktok_id )[0] );
	}

	public function test_partial_refund_is_made_once_with_restock_of_what_came_back() {
		$socks     = $this->make_simple_product( array( 'stock_quantity' => 10 ) );
		$hat       = $this->make_simple_product( array( 'name' => 'Wool Hat', 'stock_quantity' => 4 ) );
		$tiktok_id = 'T-REF-' . wp_rand();
		$order     = $this->two_line_order( $tiktok_id, $socks, $hat );
		$this->assertSame( 8, (int) wc_get_product( $socks->get_id() )->get_stock_quantity() );

		$payload = array(
			'tiktok_order_id'   => $tiktok_id,
			'platform_order_id' => (string) $order->get_order_number(),
			'tiktok_return_id'  => '4036' . wp_rand( 100000, 999999 ),
			'currency'          => 'GBP',
			'amount'            => '14.99',
			'shipping'          => '0',
			'reason'            => 'Wrong size',
			'lines'             => array(
				array( 'product_id' => (string) $socks->get_id(), 'variant_id' => (string) $socks->get_id(), 'sku' => null, 'quantity' => 1, 'amount' => '9.99', 'restock' => true ),
				array( 'product_id' => (string) $hat->get_id(), 'variant_id' => (string) $hat->get_id(), 'sku' => null, 'quantity' => 1, 'amount' => '5.00', 'restock' => false ),
			),
		);
		$created = LiveHub::get()->create_command( 'order.refund', $payload );
		$this->poll();
		// The same command carried out again, as after a lost result.
		Plugin::instance()->processor()->process( array( 'id' => $created['command_id'], 'type' => 'order.refund', 'payload' => $payload ) );

		$order   = wc_get_order( $order->get_id() );
		$refunds = $order->get_refunds();
		$this->assertCount( 1, $refunds, 'one refund for one TikTok return' );
		$this->assertSame( '14.99', wc_format_decimal( $refunds[0]->get_amount(), 2 ) );
		$quantities = array();
		foreach ( $refunds[0]->get_items() as $item ) {
			$quantities[ $item->get_product_id() ] = abs( (int) $item->get_quantity() );
		}
		$this->assertSame( array( $socks->get_id() => 1, $hat->get_id() => 1 ), $quantities );
		$this->assertSame( 9, (int) wc_get_product( $socks->get_id() )->get_stock_quantity(), 'the returned pair is back in stock' );
		$this->assertSame( 3, (int) wc_get_product( $hat->get_id() )->get_stock_quantity(), 'a refund without return is not restocked' );
		$results = $this->posted_results();
		$last    = end( $results );
		$this->assertSame( 'done', $last['body']['status'] );
		$this->assertSame( (string) $refunds[0]->get_id(), $last['body']['platform_refund_id'] );
		$this->end_request();
		$this->run_jobs();
		$this->assertSame( array(), $this->answered( 'order.refunded' ), 'a refund TikTok made is not echoed back' );
	}

	public function test_a_refund_made_in_woocommerce_is_reported() {
		$socks = $this->make_simple_product( array( 'stock_quantity' => 10 ) );
		$hat   = $this->make_simple_product( array( 'name' => 'Wool Hat', 'stock_quantity' => 4 ) );
		$order = $this->two_line_order( 'T-OWN-' . wp_rand(), $socks, $hat );
		$items = array_values( $order->get_items() );
		$refund = wc_create_refund(
			array(
				'amount'     => '9.99',
				'reason'     => 'Goodwill',
				'order_id'   => $order->get_id(),
				'line_items' => array( $items[0]->get_id() => array( 'qty' => 1, 'refund_total' => '9.99' ) ),
			)
		);
		$this->assertFalse( is_wp_error( $refund ) );
		$this->end_request();
		$this->run_jobs();
		$sent = $this->answered( 'order.refunded' );
		$this->assertCount( 1, $sent );
		$this->assertSame( 'accepted', $sent[0]['result']['status'], wp_json_encode( $sent[0]['result'] ) );
		$this->assertSame( (string) $refund->get_id(), $sent[0]['event']['platform_refund_id'] );
		$this->assertSame( '9.99', $sent[0]['event']['amount'] );
		$this->assertSame( array( array( 'product_id' => (string) $socks->get_id(), 'variant_id' => (string) $socks->get_id(), 'quantity' => 1, 'amount' => '9.99' ) ), $sent[0]['event']['lines'] );
	}
}
