<?php
/**
 * Turns WooCommerce and WordPress product hooks into outbox events.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Sync;

use TikTokShopSync\ExtensionClient\Events\EventFactory;
use TikTokShopSync\Jobs\Scheduler;

defined( 'ABSPATH' ) || exit;

/**
 * Listens to product changes and writes one event per product at the end of the request.
 *
 * WooCommerce fires woocommerce_update_product several times per admin save, and a variable product's
 * save touches every variation. The hooks therefore only note which products changed; at shutdown,
 * once every save of the request is done, each product is read once, serialised and put in the
 * outbox, and one asynchronous flush is scheduled. The admin's request never waits for the hub.
 *
 * A stock change alone sends only the stock. WooCommerce's stock functions (wc_update_product_stock(),
 * used by every sale, refund and cancellation) save the whole product, which fires the product-update
 * hook; seen in WooCommerce 9.4 the order is woocommerce_product_before_set_stock → save
 * (updated_props, woocommerce_update_product[_variation]) → woocommerce_product_set_stock. A save
 * made between the "before" and the "after" stock hooks is therefore the stock function's own and
 * is sent as an inventory.update, not as the full product. (An ordinary save that changes the stock
 * fires both stock hooks before its update hook, so it is still sent in full.)
 */
class ChangeCollector {

	/**
	 * Props whose change means price or stock changed (woocommerce_product_object_updated_props).
	 *
	 * @var string[]
	 */
	const INVENTORY_PROPS = array( 'regular_price', 'sale_price', 'price', 'date_on_sale_from', 'date_on_sale_to', 'stock_quantity', 'stock_status', 'manage_stock', 'backorders' );

	/**
	 * Product ids to send in full.
	 *
	 * @var array<int,true>
	 */
	private $upserts = array();

	/**
	 * Product or variation ids whose price or stock changed.
	 *
	 * @var array<int,true>
	 */
	private $inventory = array();

	/**
	 * Product ids deleted for good.
	 *
	 * @var array<int,true>
	 */
	private $deletes = array();

	/**
	 * Products and variations inside a stock function (between its before and after stock hooks).
	 *
	 * @var array<int,true>
	 */
	private $in_stock_update = array();

	/**
	 * Variable products WooCommerce is re-saving to sync their price range and stock status from
	 * their variations (WC_Product_Variable::sync(), run at shutdown for every variation saved).
	 *
	 * @var array<int,true>
	 */
	private $syncing = array();

	/**
	 * Outbox.
	 *
	 * @var Outbox
	 */
	private $outbox;

	/**
	 * Serializer.
	 *
	 * @var ProductSerializer
	 */
	private $serializer;

	/**
	 * Catalog lookups.
	 *
	 * @var WooCatalog
	 */
	private $catalog;

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
	 * Constructor.
	 *
	 * @param Outbox            $outbox     Outbox.
	 * @param ProductSerializer $serializer Serializer.
	 * @param WooCatalog        $catalog    Catalog lookups.
	 * @param EventFactory      $events     Event factory.
	 * @param Scheduler         $scheduler  Scheduler.
	 */
	public function __construct( Outbox $outbox, ProductSerializer $serializer, WooCatalog $catalog, EventFactory $events, Scheduler $scheduler ) {
		$this->outbox     = $outbox;
		$this->serializer = $serializer;
		$this->catalog    = $catalog;
		$this->events     = $events;
		$this->scheduler  = $scheduler;
	}

	/**
	 * Registers the hooks (after WooCommerce has loaded).
	 *
	 * @return void
	 */
	public function register() {
		add_action( 'woocommerce_new_product', array( $this, 'on_product_saved' ), 90, 1 );
		add_action( 'woocommerce_update_product', array( $this, 'on_product_saved' ), 90, 1 );
		add_action( 'woocommerce_new_product_variation', array( $this, 'on_variation_saved' ), 90, 2 );
		add_action( 'woocommerce_update_product_variation', array( $this, 'on_variation_saved' ), 90, 2 );
		add_action( 'woocommerce_product_object_updated_props', array( $this, 'on_updated_props' ), 90, 2 );
		add_action( 'woocommerce_product_before_set_stock', array( $this, 'on_before_stock_change' ), 90, 1 );
		add_action( 'woocommerce_variation_before_set_stock', array( $this, 'on_before_stock_change' ), 90, 1 );
		add_action( 'woocommerce_product_set_stock', array( $this, 'on_stock_changed' ), 90, 1 );
		add_action( 'woocommerce_variation_set_stock', array( $this, 'on_stock_changed' ), 90, 1 );
		add_action( 'woocommerce_product_set_stock_status', array( $this, 'on_stock_status_changed' ), 90, 3 );
		add_action( 'woocommerce_variation_set_stock_status', array( $this, 'on_stock_status_changed' ), 90, 3 );
		add_action( 'trashed_post', array( $this, 'on_post_status_changed' ), 90, 1 );
		add_action( 'untrashed_post', array( $this, 'on_post_status_changed' ), 90, 1 );
		add_action( 'before_delete_post', array( $this, 'on_before_delete_post' ), 90, 2 );
		add_action( 'woocommerce_variable_product_sync_data', array( $this, 'on_variable_sync' ), 90, 1 );
		// After WooCommerce's deferred variable-product sync (shutdown, 10), before the delivery (1000).
		add_action( 'shutdown', array( $this, 'write_outbox' ), 20 );
	}

	/**
	 * A product was created or saved.
	 *
	 * @param int $product_id Product id.
	 * @return void
	 */
	public function on_product_saved( $product_id ) {
		if ( isset( $this->syncing[ (int) $product_id ] ) ) {
			// Derived data only (price range, stock status): the variations' own events carry it.
			unset( $this->syncing[ (int) $product_id ] );
			return;
		}
		if ( isset( $this->in_stock_update[ (int) $product_id ] ) ) {
			$this->inventory[ (int) $product_id ] = true;
			return;
		}
		$this->upserts[ (int) $product_id ] = true;
	}

	/**
	 * A variation was created or saved: its parent is sent in full.
	 *
	 * @param int              $variation_id Variation id.
	 * @param \WC_Product|null $variation    Variation (older WooCommerce passes only the id).
	 * @return void
	 */
	public function on_variation_saved( $variation_id, $variation = null ) {
		if ( isset( $this->in_stock_update[ (int) $variation_id ] ) ) {
			$this->inventory[ (int) $variation_id ] = true;
			return;
		}
		$variation = $variation ? $variation : $this->catalog->product( $variation_id );
		if ( $variation && $variation->get_parent_id() ) {
			$this->upserts[ (int) $variation->get_parent_id() ] = true;
		}
	}

	/**
	 * End of a CRUD save, with the list of props that changed.
	 *
	 * @param \WC_Product $product       Product or variation.
	 * @param string[]    $updated_props Changed props.
	 * @return void
	 */
	public function on_updated_props( $product, $updated_props ) {
		if ( is_object( $product ) && array_intersect( (array) $updated_props, self::INVENTORY_PROPS ) ) {
			$this->inventory[ (int) $product->get_id() ] = true;
		}
	}

	/**
	 * WooCommerce is about to re-save a variable product with data synced from its variations.
	 *
	 * @param \WC_Product $product Variable product.
	 * @return void
	 */
	public function on_variable_sync( $product ) {
		if ( is_object( $product ) ) {
			$this->syncing[ (int) $product->get_id() ] = true;
		}
	}

	/**
	 * A stock quantity is about to change (a stock function, or a save whose stock changed).
	 *
	 * @param \WC_Product $product Product or variation.
	 * @return void
	 */
	public function on_before_stock_change( $product ) {
		if ( is_object( $product ) ) {
			$this->in_stock_update[ (int) $product->get_id() ] = true;
		}
	}

	/**
	 * Stock quantity changed, including through wc_update_product_stock() when an order reduces or restores stock.
	 *
	 * @param \WC_Product $product Product or variation.
	 * @return void
	 */
	public function on_stock_changed( $product ) {
		if ( is_object( $product ) ) {
			unset( $this->in_stock_update[ (int) $product->get_id() ] );
			$this->inventory[ (int) $product->get_id() ] = true;
		}
	}

	/**
	 * Stock status changed.
	 *
	 * @param int $product_id Product or variation id.
	 * @return void
	 */
	public function on_stock_status_changed( $product_id ) {
		$this->inventory[ (int) $product_id ] = true;
	}

	/**
	 * A product or variation was trashed or restored in the WordPress admin.
	 *
	 * @param int $post_id Post id.
	 * @return void
	 */
	public function on_post_status_changed( $post_id ) {
		$type = get_post_type( $post_id );
		if ( 'product' === $type ) {
			$this->upserts[ (int) $post_id ] = true;
		} elseif ( 'product_variation' === $type ) {
			$parent = (int) wp_get_post_parent_id( $post_id );
			if ( $parent ) {
				$this->upserts[ $parent ] = true;
			}
		}
	}

	/**
	 * A product or variation is about to be deleted for good; read what we need while it exists.
	 *
	 * @param int           $post_id Post id.
	 * @param \WP_Post|null $post    Post (WordPress 5.5+).
	 * @return void
	 */
	public function on_before_delete_post( $post_id, $post = null ) {
		$post = $post ? $post : get_post( $post_id );
		if ( ! $post ) {
			return;
		}
		if ( 'product' === $post->post_type ) {
			$this->deletes[ (int) $post_id ] = true;
			unset( $this->upserts[ (int) $post_id ] );
		} elseif ( 'product_variation' === $post->post_type && $post->post_parent ) {
			$this->upserts[ (int) $post->post_parent ] = true;
			unset( $this->inventory[ (int) $post_id ] );
		}
	}

	/**
	 * Whether changes are waiting to be written.
	 *
	 * @return bool
	 */
	public function has_changes() {
		return (bool) ( $this->upserts || $this->inventory || $this->deletes );
	}

	/**
	 * Writes the request's changes to the outbox and schedules a flush (shutdown).
	 *
	 * @return int Number of events written.
	 */
	public function write_outbox() {
		if ( ! $this->has_changes() ) {
			return 0;
		}
		$upserts         = $this->upserts;
		$inventory       = $this->inventory;
		$deletes         = $this->deletes;
		$this->upserts   = array();
		$this->inventory = array();
		$this->deletes   = array();
		$written         = 0;

		foreach ( array_keys( $deletes ) as $product_id ) {
			$this->outbox->add( $this->events->productDelete( (string) $product_id ), 'product:' . $product_id );
			++$written;
		}

		foreach ( array_keys( $upserts ) as $product_id ) {
			if ( isset( $deletes[ $product_id ] ) ) {
				continue;
			}
			$written += $this->write_upsert( $product_id );
		}

		$items = array();
		foreach ( array_keys( $inventory ) as $id ) {
			$product = $this->catalog->product( $id );
			if ( ! $product ) {
				continue;
			}
			$owner = $product->is_type( 'variation' ) ? (int) $product->get_parent_id() : (int) $product->get_id();
			if ( isset( $deletes[ $owner ] ) ) {
				continue;
			}
			$sellables = $product->is_type( 'variable' ) ? $this->catalog->variations( $product ) : array( $product );
			foreach ( $sellables as $sellable ) {
				$items[ $owner ][ (int) $sellable->get_id() ] = $this->serializer->inventory_item( $sellable );
			}
		}
		foreach ( $items as $owner => $owner_items ) {
			$this->outbox->add( $this->events->inventoryUpdate( array_values( $owner_items ) ), 'inventory:' . $owner );
			++$written;
		}

		if ( $written ) {
			$this->scheduler->schedule_flush();
		}
		return $written;
	}

	/**
	 * Serialises one product into a product.upsert.
	 *
	 * @param int $product_id Product id.
	 * @return int 1 when written, 0 when the product is gone or not a sellable type.
	 */
	private function write_upsert( $product_id ) {
		$product = $this->catalog->product( $product_id );
		if ( ! $product || ! ( $product->is_type( 'simple' ) || $product->is_type( 'variable' ) ) ) {
			return 0;
		}
		if ( in_array( $product->get_status(), array( 'auto-draft' ), true ) ) {
			return 0;
		}
		$this->outbox->add( $this->events->productUpsert( $this->serializer->serialize( $product ) ), 'product:' . $product_id );
		return 1;
	}
}
