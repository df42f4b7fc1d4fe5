<?php
/**
 * Sends the whole catalog (or a list of products) to the hub.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Sync;

use TikTokShopSync\ExtensionClient\Events\EventFactory;
use TikTokShopSync\Jobs\Scheduler;
use TikTokShopSync\Options;

defined( 'ABSPATH' ) || exit;

/**
 * Pages through the catalog in background jobs, 50 products a page, writing product.upsert events
 * to the outbox, and keeps a progress record the settings page shows. Used by the "Send whole catalog"
 * button and by the hub's catalog.resend command.
 */
class CatalogExport {

	const PAGE_SIZE = 50;

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
	 * Store facts.
	 *
	 * @var StoreInfo
	 */
	private $store;

	/**
	 * Constructor.
	 *
	 * @param Outbox            $outbox     Outbox.
	 * @param ProductSerializer $serializer Serializer.
	 * @param WooCatalog        $catalog    Catalog lookups.
	 * @param EventFactory      $events     Event factory.
	 * @param Scheduler         $scheduler  Scheduler.
	 * @param StoreInfo         $store      Store facts.
	 */
	public function __construct( Outbox $outbox, ProductSerializer $serializer, WooCatalog $catalog, EventFactory $events, Scheduler $scheduler, StoreInfo $store ) {
		$this->outbox     = $outbox;
		$this->serializer = $serializer;
		$this->catalog    = $catalog;
		$this->events     = $events;
		$this->scheduler  = $scheduler;
		$this->store      = $store;
	}

	/**
	 * Starts a whole-catalog export in the background.
	 *
	 * @return array Progress record.
	 */
	public function start() {
		$this->outbox->add( $this->events->storeUpdate( $this->store->payload() ), 'store' );
		$progress = array(
			'state'      => 'running',
			'total'      => $this->count_products(),
			'queued'     => 0,
			'skipped'    => 0,
			'started_at' => time(),
			'updated_at' => time(),
		);
		update_option( Options::CATALOG_PROGRESS, $progress, false );
		$this->scheduler->schedule_export_page( 1 );
		return $progress;
	}

	/**
	 * Exports one page and schedules the next (job callback).
	 *
	 * @param int $page Page number from 1.
	 * @return array Progress record.
	 */
	public function run_page( $page ) {
		$page     = max( 1, (int) $page );
		$ids      = $this->product_ids( $page );
		$progress = $this->progress();
		$result   = $this->queue_products( $ids );

		$progress['queued']     = ( isset( $progress['queued'] ) ? (int) $progress['queued'] : 0 ) + $result['queued'];
		$progress['skipped']    = ( isset( $progress['skipped'] ) ? (int) $progress['skipped'] : 0 ) + $result['skipped'];
		$progress['updated_at'] = time();
		if ( count( $ids ) < self::PAGE_SIZE ) {
			$progress['state']       = 'done';
			$progress['finished_at'] = time();
		} else {
			$this->scheduler->schedule_export_page( $page + 1 );
		}
		update_option( Options::CATALOG_PROGRESS, $progress, false );
		$this->scheduler->schedule_flush();
		return $progress;
	}

	/**
	 * Writes product.upsert events for the given ids now (catalog.resend with a list).
	 *
	 * @param int[] $ids Product ids.
	 * @return array{queued:int,skipped:int,missing:string[]}
	 */
	public function queue_products( array $ids ) {
		$queued  = 0;
		$skipped = 0;
		$missing = array();
		foreach ( $ids as $id ) {
			$product = $this->catalog->product( $id );
			if ( ! $product ) {
				$missing[] = (string) $id;
				++$skipped;
				continue;
			}
			if ( $product->is_type( 'variation' ) ) {
				$product = $this->catalog->product( $product->get_parent_id() );
			}
			if ( ! $product || ! ( $product->is_type( 'simple' ) || $product->is_type( 'variable' ) ) ) {
				++$skipped;
				continue;
			}
			$this->outbox->add( $this->events->productUpsert( $this->serializer->serialize( $product ) ), 'product:' . $product->get_id() );
			++$queued;
		}
		if ( $queued ) {
			$this->scheduler->schedule_flush();
		}
		return array(
			'queued'  => $queued,
			'skipped' => $skipped,
			'missing' => $missing,
		);
	}

	/**
	 * Current progress record (empty when no export ran).
	 *
	 * @return array
	 */
	public function progress() {
		$progress = get_option( Options::CATALOG_PROGRESS, array() );
		return is_array( $progress ) ? $progress : array();
	}

	/**
	 * One page of product ids, oldest first, drafts and private products included.
	 *
	 * @param int $page Page number.
	 * @return int[]
	 */
	private function product_ids( $page ) {
		return array_map(
			'intval',
			(array) wc_get_products(
				array(
					'type'    => array( 'simple', 'variable' ),
					'status'  => array( 'publish', 'draft', 'pending', 'private' ),
					'limit'   => self::PAGE_SIZE,
					'page'    => $page,
					'orderby' => 'ID',
					'order'   => 'ASC',
					'return'  => 'ids',
				)
			)
		);
	}

	/**
	 * Number of products an export will go through.
	 *
	 * @return int
	 */
	private function count_products() {
		$result = wc_get_products(
			array(
				'type'     => array( 'simple', 'variable' ),
				'status'   => array( 'publish', 'draft', 'pending', 'private' ),
				'limit'    => 1,
				'paginate' => true,
				'return'   => 'ids',
			)
		);
		return is_object( $result ) && isset( $result->total ) ? (int) $result->total : 0;
	}
}
