<?php

/**
 * Doubles of Magento's catalog and inventory service contracts over one in-memory catalog.
 */

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Support;

use Magento\Catalog\Api\CategoryRepositoryInterface;
use Magento\Catalog\Api\Data\CategoryInterface;
use Magento\Catalog\Api\Data\ProductAttributeInterface;
use Magento\Catalog\Api\Data\ProductAttributeMediaGalleryEntryInterface;
use Magento\Catalog\Api\Data\ProductExtensionInterface;
use Magento\Catalog\Api\ProductAttributeRepositoryInterface;
use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\Catalog\Model\Product;
use Magento\CatalogInventory\Api\Data\StockItemInterface;
use Magento\CatalogInventory\Api\StockRegistryInterface;
use Magento\ConfigurableProduct\Api\Data\OptionInterface;
use Magento\ConfigurableProduct\Api\LinkManagementInterface;
use Magento\ConfigurableProduct\Api\OptionRepositoryInterface;
use Magento\ConfigurableProduct\Model\Product\Type\Configurable;
use Magento\Eav\Api\Data\AttributeOptionInterface;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Framework\Phrase;
use Magento\InventoryApi\Api\Data\StockInterface;
use Magento\InventoryCatalogApi\Model\GetProductIdsBySkusInterface;
use Magento\InventoryApi\Api\Data\SourceInterface;
use Magento\InventoryApi\Api\GetSourceItemsBySkuInterface;
use Magento\InventoryApi\Api\GetSourcesAssignedToStockOrderedByPriorityInterface;
use Magento\InventoryReservationsApi\Model\GetReservationsQuantityInterface;
use Magento\InventorySalesApi\Api\StockResolverInterface;

/**
 * The catalog: products (Magento's product model with its data), categories, attributes with
 * options, configurable links, stock per SKU.
 */
final class Catalog
{
    /** @var array<int,Product> */
    public array $products = [];
    /** @var array<int,array{name:string,path:string}> */
    public array $categories = [];
    /** @var array<string,array<string,string>> attribute code => option id => label */
    public array $attributeOptions = [];
    /** @var array<int,string> */
    public array $attributeCodes = [];
    /** @var array<int,int[]> parent id => child ids */
    public array $children = [];
    /** @var array<int,array<int,array{attribute_id:int,label:string}>> */
    public array $superAttributes = [];
    /** @var array<string,array{qty:float,manage:bool,in_stock:bool,backorders:int}> */
    public array $stock = [];
    /** @var array<string,float> Open MSI reservations per SKU (negative: sold, not shipped). */
    public array $reservations = [];
    /** @var array<string,array<int,array{source:string,qty:float,status:int}>> More source items per SKU. */
    public array $moreSourceItems = [];
    /** @var array<int,array<int,array{source:string,enabled:bool}>> Sources linked to each stock. */
    public array $stockSources = [
        1 => [['source' => 'default', 'enabled' => true]],
        2 => [['source' => 'default', 'enabled' => true]],
    ];
    public int $loads = 0;

    public function __construct(private ?SqliteAdapter $db = null)
    {
    }

    /**
     * @param array<string,mixed> $data entity_id, sku, name, type_id, price, ... and custom_attributes.
     */
    public function add(array $data, float $qty = 10, array $websiteIds = [1]): Product
    {
        $data += [
            'status' => 1,
            'visibility' => 4,
            'type_id' => 'simple',
            'custom_attributes' => [],
            'media_gallery_entries' => [],
        ];
        $data['extension_attributes'] = new ProductExtensionDouble($websiteIds);
        $product = new Product($data);
        $id = (int) $data['entity_id'];
        $this->products[$id] = $product;
        $this->stock[(string) $data['sku']] = [
            'qty' => $qty,
            'manage' => true,
            'in_stock' => $qty > 0,
            'backorders' => 0,
        ];
        if ($this->db) {
            $this->db->insert(
                'catalog_product_entity',
                ['entity_id' => $id, 'type_id' => $data['type_id'], 'sku' => $data['sku']]
            );
            foreach ($websiteIds as $websiteId) {
                $this->db->insert('catalog_product_website', ['product_id' => $id, 'website_id' => $websiteId]);
            }
        }
        return $product;
    }

    /**
     * @param int[] $childIds
     * @param array<int,array{attribute_id:int,label:string}> $superAttributes
     */
    public function link(int $parentId, array $childIds, array $superAttributes): void
    {
        $this->children[$parentId] = $childIds;
        $this->superAttributes[$parentId] = $superAttributes;
        foreach ($childIds as $childId) {
            $this->db?->insert('catalog_product_super_link', ['product_id' => $childId, 'parent_id' => $parentId]);
        }
    }

    public function attribute(int $id, string $code, array $options = []): void
    {
        $this->attributeCodes[$id] = $code;
        $this->attributeOptions[$code] = $options;
        $this->db?->insert('eav_attribute', ['attribute_id' => $id, 'attribute_code' => $code]);
    }

    public function product(int $id): Product
    {
        if (!isset($this->products[$id])) {
            throw new NoSuchEntityException(
                new Phrase('The product that was requested doesn\'t exist. Verify the product and try again.')
            );
        }
        ++$this->loads;
        return $this->products[$id];
    }

    public function bySku(string $sku): Product
    {
        foreach ($this->products as $product) {
            if ($product->getSku() === $sku) {
                return $product;
            }
        }
        throw new NoSuchEntityException(
            new Phrase('The product that was requested doesn\'t exist. Verify the product and try again.')
        );
    }

    public function delete(int $id): void
    {
        unset($this->products[$id]);
        $this->db?->delete('catalog_product_entity', ['entity_id = ?' => $id]);
        $this->db?->delete('catalog_product_website', ['product_id = ?' => $id]);
    }
}

final class ProductExtensionDouble implements ProductExtensionInterface
{
    public function __construct(private ?array $websiteIds)
    {
    }

    public function getWebsiteIds()
    {
        return $this->websiteIds;
    }

    public function setWebsiteIds($websiteIds)
    {
        $this->websiteIds = $websiteIds;
        return $this;
    }
}

final class MediaEntryDouble implements ProductAttributeMediaGalleryEntryInterface
{
    public function __construct(
        private string $file,
        private int $position,
        private array $types = [],
        private bool $disabled = false,
        private ?string $label = null
    ) {
    }

    public function getFile()
    {
        return $this->file;
    }

    public function getLabel()
    {
        return $this->label;
    }

    public function getPosition()
    {
        return $this->position;
    }

    public function isDisabled()
    {
        return $this->disabled;
    }

    public function getTypes()
    {
        return $this->types;
    }

    public function getMediaType()
    {
        return 'image';
    }
}

final class ProductRepositoryDouble implements ProductRepositoryInterface
{
    public function __construct(private Catalog $catalog)
    {
    }

    public function get($sku, $editMode = false, $storeId = null, $forceReload = false)
    {
        return $this->catalog->bySku((string) $sku);
    }

    public function getById($productId, $editMode = false, $storeId = null, $forceReload = false)
    {
        return $this->catalog->product((int) $productId);
    }
}

/**
 * For data doubles whose interface extends CustomAttributesDataInterface but carry none.
 */
trait NoCustomAttributes
{
    public function getCustomAttribute($attributeCode)
    {
        return null;
    }

    public function getCustomAttributes()
    {
        return [];
    }
}

final class CategoryDouble implements CategoryInterface
{
    use NoCustomAttributes;

    public function __construct(private int $id, private string $name, private string $path)
    {
    }

    public function getId()
    {
        return $this->id;
    }

    public function getName()
    {
        return $this->name;
    }

    public function getPath()
    {
        return $this->path;
    }
}

final class CategoryRepositoryDouble implements CategoryRepositoryInterface
{
    public function __construct(private Catalog $catalog)
    {
    }

    public function get($categoryId, $storeId = null)
    {
        $row = $this->catalog->categories[(int) $categoryId] ?? null;
        if (null === $row) {
            throw new NoSuchEntityException(new Phrase('No such entity with id = %1', [$categoryId]));
        }
        return new CategoryDouble((int) $categoryId, $row['name'], $row['path']);
    }
}

final class AttributeOptionDouble implements AttributeOptionInterface
{
    public function __construct(private string $value, private string $label)
    {
    }

    public function getLabel()
    {
        return $this->label;
    }

    public function getValue()
    {
        return $this->value;
    }
}

final class ProductAttributeDouble implements ProductAttributeInterface
{
    use NoCustomAttributes;

    public function __construct(private string $code, private array $options)
    {
    }

    public function getAttributeCode()
    {
        return $this->code;
    }

    public function getOptions()
    {
        $out = [];
        foreach ($this->options as $value => $label) {
            $out[] = new AttributeOptionDouble((string) $value, $label);
        }
        return $out;
    }
}

final class ProductAttributeRepositoryDouble implements ProductAttributeRepositoryInterface
{
    public function __construct(private Catalog $catalog)
    {
    }

    public function get($attributeCode)
    {
        if (!isset($this->catalog->attributeOptions[$attributeCode])) {
            throw new NoSuchEntityException(
                new Phrase('The attribute with a "%1" attributeCode doesn\'t exist.', [$attributeCode])
            );
        }
        return new ProductAttributeDouble((string) $attributeCode, $this->catalog->attributeOptions[$attributeCode]);
    }
}

final class ConfigurableOptionDouble implements OptionInterface
{
    public function __construct(private int $attributeId, private string $label)
    {
    }

    public function getAttributeId()
    {
        return $this->attributeId;
    }

    public function getLabel()
    {
        return $this->label;
    }
}

final class ConfigurableDouble implements LinkManagementInterface, OptionRepositoryInterface
{
    public function __construct(private Catalog $catalog)
    {
    }

    public function getChildren($sku)
    {
        $parent = $this->catalog->bySku((string) $sku);
        return array_values(array_filter(array_map(
            fn (int $id) => $this->catalog->products[$id] ?? null,
            $this->catalog->children[(int) $parent->getId()] ?? []
        )));
    }

    public function getList($sku)
    {
        $parent = $this->catalog->bySku((string) $sku);
        return array_map(
            static fn (array $a) => new ConfigurableOptionDouble($a['attribute_id'], $a['label']),
            $this->catalog->superAttributes[(int) $parent->getId()] ?? []
        );
    }
}

final class ConfigurableTypeDouble extends Configurable
{
    public function __construct(private Catalog $catalog)
    {
    }

    public function getParentIdsByChild($childId)
    {
        $parents = [];
        foreach ((array) $childId as $id) {
            foreach ($this->catalog->children as $parentId => $children) {
                if (in_array((int) $id, $children, true)) {
                    $parents[] = $parentId;
                }
            }
        }
        return $parents;
    }
}

final class StockItemDouble implements StockItemInterface
{
    public function __construct(private Catalog $catalog, private string $sku)
    {
    }

    public function getProductId()
    {
        return $this->catalog->bySku($this->sku)->getId();
    }

    public function getQty()
    {
        return $this->catalog->stock[$this->sku]['qty'];
    }

    public function getIsInStock()
    {
        return $this->catalog->stock[$this->sku]['in_stock'];
    }

    public function getManageStock()
    {
        return $this->catalog->stock[$this->sku]['manage'];
    }

    public function getBackorders()
    {
        return $this->catalog->stock[$this->sku]['backorders'];
    }
}

final class StockDouble implements StockInterface
{
    public function __construct(private int $stockId)
    {
    }

    public function getStockId(): ?int
    {
        return $this->stockId;
    }
}

final class StockRegistryDouble implements StockRegistryInterface
{
    public function __construct(private Catalog $catalog)
    {
    }

    public function getStockItemBySku($productSku, $scopeId = null)
    {
        $this->catalog->bySku((string) $productSku);
        return new StockItemDouble($this->catalog, (string) $productSku);
    }
}

/**
 * MSI's source items of a SKU: the stock quantity on the "default" source, plus any others.
 */
final class SourceItemsBySkuDouble implements GetSourceItemsBySkuInterface
{
    public function __construct(private Catalog $catalog)
    {
    }

    public function execute(string $sku): array
    {
        $items = [];
        if (isset($this->catalog->stock[$sku])) {
            $stock = $this->catalog->stock[$sku];
            $items[] = new SourceItemDouble($sku, $stock['qty'], $stock['in_stock'] ? 1 : 0, 'default');
        }
        foreach ($this->catalog->moreSourceItems[$sku] ?? [] as $row) {
            $items[] = new SourceItemDouble($sku, $row['qty'], $row['status'], $row['source']);
        }
        return $items;
    }
}

final class SourceDouble implements SourceInterface
{
    public function __construct(private string $code, private bool $enabled)
    {
    }

    public function getSourceCode(): ?string
    {
        return $this->code;
    }

    public function isEnabled(): ?bool
    {
        return $this->enabled;
    }
}

final class StockSourcesDouble implements GetSourcesAssignedToStockOrderedByPriorityInterface
{
    public function __construct(private Catalog $catalog)
    {
    }

    public function execute(int $stockId): array
    {
        return array_map(
            static fn (array $row) => new SourceDouble($row['source'], $row['enabled']),
            $this->catalog->stockSources[$stockId] ?? []
        );
    }
}

final class ReservationsQuantityDouble implements GetReservationsQuantityInterface
{
    public function __construct(private Catalog $catalog)
    {
    }

    public function execute(string $sku, int $stockId): float
    {
        return (float) ($this->catalog->reservations[$sku] ?? 0.0);
    }
}

/**
 * Stock 1 for the website "base", stock 2 for "eu".
 */
final class StockResolverDouble implements StockResolverInterface
{
    public function execute(string $type, string $code): StockInterface
    {
        return new StockDouble('base' === $code ? 1 : 2);
    }
}

final class ProductIdsBySkusDouble implements GetProductIdsBySkusInterface
{
    public function __construct(private Catalog $catalog)
    {
    }

    public function execute(array $skus): array
    {
        $out = [];
        foreach ($skus as $sku) {
            $out[$sku] = (int) $this->catalog->bySku((string) $sku)->getId();
        }
        return $out;
    }
}
