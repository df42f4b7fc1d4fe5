<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Support;

use Magento\Catalog\Api\CategoryRepositoryInterface;
use Magento\Catalog\Api\ProductAttributeRepositoryInterface;
use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\Catalog\Model\Product;
use Magento\CatalogInventory\Api\StockRegistryInterface;
use Magento\ConfigurableProduct\Api\LinkManagementInterface;
use Magento\ConfigurableProduct\Api\OptionRepositoryInterface;
use Magento\ConfigurableProduct\Model\Product\Type\Configurable;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\App\ProductMetadataInterface;
use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DataObject;
use Magento\Framework\Encryption\EncryptorInterface;
use Magento\Framework\Event;
use Magento\Framework\Event\Observer;
use Magento\Framework\FlagManager;
use Magento\Framework\Lock\LockManagerInterface;
use Magento\Framework\MessageQueue\PublisherInterface;
use Magento\InventoryCatalogApi\Model\GetProductIdsBySkusInterface;
use Magento\InventoryApi\Api\GetSourceItemsBySkuInterface;
use Magento\InventoryApi\Api\GetSourcesAssignedToStockOrderedByPriorityInterface;
use Magento\InventoryReservationsApi\Model\GetReservationsQuantityInterface;
use Magento\InventorySalesApi\Api\StockResolverInterface;
use Magento\Quote\Api\CartManagementInterface;
use Magento\Quote\Api\CartRepositoryInterface;
use Magento\Quote\Model\Quote\Address\RateFactory;
use Magento\Quote\Model\QuoteManagement;
use Magento\Sales\Api\Data\CreditmemoCreationArgumentsExtensionFactory;
use Magento\Sales\Api\Data\CreditmemoCreationArgumentsInterfaceFactory;
use Magento\Sales\Api\Data\CreditmemoItemCreationInterfaceFactory;
use Magento\Sales\Api\OrderManagementInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Sales\Api\InvoiceOrderInterface;
use Magento\Sales\Api\RefundOrderInterface;
use Magento\Sales\Model\Order;
use Magento\Store\Api\StoreConfigManagerInterface;
use Magento\Store\Model\StoreManagerInterface;
use TikTokShopSync\Connector\Model\Config;
use TikTokShopSync\Connector\Model\Outbox\Pusher;
use TikTokShopSync\Connector\Plugin\ReservationsPlugin;
use TikTokShopSync\Connector\Plugin\SourceItemsSavePlugin;
use TikTokShopSync\ExtensionClient\Http\Transport;

/**
 * A Magento store in memory: the module's real classes, built from its di.xml, on doubles of the
 * Magento services, with Magento's event and plugin calls made in Magento's order (observers from
 * etc/events.xml; the MSI source-item save after a product save commits, as Magento 2.4.7 does).
 */
final class MagentoStore
{
    public SqliteAdapter $db;
    public Catalog $catalog;
    public Sales $sales;
    public ScopeConfigDouble $config;
    public StoreManagerDouble $stores;
    public FlagManagerDouble $flags;
    public PublisherDouble $publisher;
    public LockManagerDouble $locks;
    public ObjectManager $objects;
    public QuoteManagementDouble $quoteManagement;
    public StateDouble $appState;
    /** @var array<string,array<int,string>> event name => observer classes */
    private array $observers = [];

    public function __construct(?Transport $transport = null)
    {
        $module = dirname(__DIR__, 2);
        $this->db = new SqliteAdapter();
        $this->catalog = new Catalog($this->db);
        $this->sales = new Sales();
        $this->config = new ScopeConfigDouble($module . '/etc/config.xml', new EncryptorDouble());
        $this->stores = new StoreManagerDouble();
        $this->flags = new FlagManagerDouble();
        $this->publisher = new PublisherDouble();
        $this->locks = new LockManagerDouble();
        $this->appState = new StateDouble();
        $this->quoteManagement = new QuoteManagementDouble($this->sales, $this->appState);
        $this->config->set('catalog/seo/product_url_suffix', '.html');
        $this->config->set('web/seo/use_rewrites', '1');
        $this->config->set('general/locale/weight_unit', 'kgs');
        $this->config->set('general/country/allow', 'GB,IE,FR');

        $o = $this->objects = new ObjectManager($module . '/etc/di.xml');
        $cart = new CartDouble($this->sales);
        $orders = new OrderServiceDouble($this->sales);
        $configurable = new ConfigurableDouble($this->catalog);
        $doubles = [
            ResourceConnection::class => new ResourceConnectionDouble($this->db),
            \Magento\Framework\App\State::class => $this->appState,
            ScopeConfigInterface::class => $this->config,
            EncryptorInterface::class => new EncryptorDouble(),
            StoreManagerInterface::class => $this->stores,
            StoreConfigManagerInterface::class => $this->stores,
            FlagManager::class => $this->flags,
            ProductMetadataInterface::class => new ProductMetadataDouble(),
            LockManagerInterface::class => $this->locks,
            PublisherInterface::class => $this->publisher,
            ProductRepositoryInterface::class => new ProductRepositoryDouble($this->catalog),
            CategoryRepositoryInterface::class => new CategoryRepositoryDouble($this->catalog),
            ProductAttributeRepositoryInterface::class => new ProductAttributeRepositoryDouble($this->catalog),
            LinkManagementInterface::class => $configurable,
            OptionRepositoryInterface::class => $configurable,
            Configurable::class => new ConfigurableTypeDouble($this->catalog),
            StockRegistryInterface::class => new StockRegistryDouble($this->catalog),
            GetSourceItemsBySkuInterface::class => new SourceItemsBySkuDouble($this->catalog),
            GetSourcesAssignedToStockOrderedByPriorityInterface::class => new StockSourcesDouble($this->catalog),
            GetReservationsQuantityInterface::class => new ReservationsQuantityDouble($this->catalog),
            StockResolverInterface::class => new StockResolverDouble(),
            GetProductIdsBySkusInterface::class => new ProductIdsBySkusDouble($this->catalog),
            CartManagementInterface::class => $cart,
            CartRepositoryInterface::class => $cart,
            QuoteManagement::class => $this->quoteManagement,
            RateFactory::class => new RateFactory(),
            OrderRepositoryInterface::class => $orders,
            OrderManagementInterface::class => $orders,
            RefundOrderInterface::class => new RefundOrderDouble($this->sales),
            InvoiceOrderInterface::class => new InvoiceOrderDouble($this->sales),
            CreditmemoItemCreationInterfaceFactory::class => new CreditmemoItemCreationInterfaceFactory(),
            CreditmemoCreationArgumentsInterfaceFactory::class => new CreditmemoCreationArgumentsInterfaceFactory(),
            CreditmemoCreationArgumentsExtensionFactory::class => new CreditmemoCreationArgumentsExtensionFactory(),
        ];
        foreach ($doubles as $type => $double) {
            $o->set($type, $double);
        }
        if (null !== $transport) {
            $o->set(Transport::class, $transport);
        }

        $events = simplexml_load_file($module . '/etc/events.xml');
        foreach ($events->event as $event) {
            foreach ($event->observer as $observer) {
                $this->observers[(string) $event['name']][] = (string) $observer['instance'];
            }
        }
        // Magento's MSI plugin places reservations when an order is placed; the module's plugin follows.
        $this->sales->afterPlace = function (Order $order): void {
            $items = [];
            foreach ((array) $order->getData('items') as $item) {
                $this->catalog->reservations[$item['sku']] = (
                    $this->catalog->reservations[$item['sku']] ?? 0
                ) - $item['qty'];
                $items[] = new ItemToSellDouble((string) $item['sku'], (float) -$item['qty']);
            }
            $this->objects->get(ReservationsPlugin::class)->afterExecute(
                new PlaceReservationsDouble(),
                null,
                $items,
                new SalesChannelDouble(),
                new SalesEventDouble('order_placed')
            );
        };
        $this->sales->afterCancel = function (Order $order): void {
            $this->dispatch('order_cancel_after', ['order' => $order]);
        };
        $this->sales->creditmemoEvent = function (string $event, $creditmemo): void {
            $this->dispatch($event, ['creditmemo' => $creditmemo, 'data_object' => $creditmemo]);
        };
        // Magento_SalesInventory returns return_to_stock_items to the source (MSI: a source item save).
        $this->sales->returnToStock = function (string $sku, float $qty): void {
            $this->catalog->stock[$sku]['qty'] += $qty;
            $this->catalog->stock[$sku]['in_stock'] = $this->catalog->stock[$sku]['qty'] > 0;
        };
    }

    /**
     * Sync on for a website with the hub's URL and credentials, the secret stored encrypted.
     */
    public function connect(int $websiteId, string $url, string $keyId, string $secret): void
    {
        $this->config->set(Config::PATH_ENABLED, '1', $websiteId);
        $this->config->set(Config::PATH_HUB_URL, $url, $websiteId);
        $this->config->set(Config::PATH_KEY_ID, $keyId, $websiteId);
        $this->config->set(Config::PATH_SECRET, (new EncryptorDouble())->encrypt($secret), $websiteId);
    }

    /**
     * @template T of object
     * @param class-string<T> $class
     * @return T
     */
    public function get(string $class): object
    {
        return $this->objects->get($class);
    }

    /**
     * Calls the observers etc/events.xml registers for an event.
     *
     * @param array<string,mixed> $data
     */
    public function dispatch(string $name, array $data): void
    {
        $event = new Event($data + ['name' => $name]);
        foreach ($this->observers[$name] ?? [] as $class) {
            $this->objects->get($class)->execute(new Observer(['event' => $event]));
        }
    }

    /**
     * A product saved in the admin (or by REST, an import, the CLI): the save and its observers in one
     * transaction, the commit observers, then the MSI source-item save Magento runs after it.
     *
     * @param array<string,mixed> $changes
     */
    public function saveProduct(Product $product, array $changes = [], ?float $qty = null, bool $fail = false): void
    {
        $this->db->beginTransaction();
        try {
            $product->addData($changes);
            if (null !== $qty) {
                $this->catalog->stock[(string) $product->getSku()]['qty'] = $qty;
                $this->catalog->stock[(string) $product->getSku()]['in_stock'] = $qty > 0;
            }
            $this->dispatch('catalog_product_save_after', ['product' => $product, 'data_object' => $product]);
            if ($fail) {
                throw new \RuntimeException('The product could not be saved (a later step failed).');
            }
            $this->db->commit();
        } catch (\Throwable $e) {
            $this->db->rollBack();
            throw $e;
        }
        $this->dispatch('catalog_product_save_commit_after', ['product' => $product, 'data_object' => $product]);
        $this->get(SourceItemsSavePlugin::class)->afterExecute(
            new SourceItemsSaveDouble(),
            null,
            [
                new SourceItemDouble(
                    (string) $product->getSku(),
                    $this->catalog->stock[(string) $product->getSku()]['qty']
                ),
            ]
        );
    }

    public function deleteProduct(Product $product): void
    {
        $this->db->beginTransaction();
        $this->catalog->delete((int) $product->getId());
        $this->dispatch('catalog_product_delete_after', ['product' => $product]);
        $this->db->commit();
        $this->dispatch('catalog_product_delete_commit_after', ['product' => $product]);
    }

    /**
     * The end of the request: the push scheduled after commit runs.
     *
     * @return array<int,array<string,mixed>>
     */
    public function endRequest(): array
    {
        return $this->get(Pusher::class)->pushScheduled();
    }

    /**
     * @return array<int,array<string,mixed>>
     */
    public function outbox(): array
    {
        return $this->db->fetchAll('SELECT * FROM tiktokshop_outbox ORDER BY id');
    }

    public static function request(array $data = []): DataObject
    {
        return new DataObject($data);
    }
}
