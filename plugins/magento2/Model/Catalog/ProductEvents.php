<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Catalog;

use Magento\Catalog\Api\Data\ProductInterface;
use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\ConfigurableProduct\Model\Product\Type\Configurable;
use Magento\Framework\Exception\NoSuchEntityException;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;

/**
 * Builds the event for an outbox intent when it is sent, from the committed product:
 * product.upsert (or product.delete when the product is gone or left the website),
 * inventory.update, or nothing for products the hub does not list (other types, children of
 * configurable products that are not visible on their own: their parent carries them).
 */
class ProductEvents
{
    public function __construct(
        private readonly ProductRepositoryInterface $products,
        private readonly Configurable $configurableType,
        private readonly ProductSerializer $serializer,
        private readonly WebsiteContext $websites
    ) {
    }

    /**
     * @return array<string,mixed>|null
     */
    public function build(int $websiteId, int $productId, string $type, string $eventId): ?array
    {
        $context = $this->websites->get($websiteId);
        $delete = ['id' => $eventId, 'type' => OutboxTable::TYPE_DELETE, 'product_id' => (string) $productId];
        if (OutboxTable::TYPE_DELETE === $type) {
            return $delete;
        }
        try {
            $product = $this->products->getById($productId, false, $context['store_id'], true);
        } catch (NoSuchEntityException $e) {
            return $delete;
        }
        if (!in_array((string) $product->getTypeId(), ProductSerializer::TYPES, true)) {
            return null;
        }
        if (!$this->inWebsite($product, $websiteId)) {
            return $delete;
        }
        if (
            ProductSerializer::VISIBILITY_NOT_VISIBLE === (int) $product->getVisibility()
            && $this->configurableType->getParentIdsByChild($productId)
        ) {
            return null;
        }
        if (OutboxTable::TYPE_STOCK === $type) {
            return [
                'id' => $eventId,
                'type' => OutboxTable::TYPE_STOCK,
                'items' => $this->serializer->inventoryItems($product, $context),
            ];
        }
        return [
            'id' => $eventId,
            'type' => OutboxTable::TYPE_UPSERT,
            'product' => $this->serializer->serialize($product, $context),
        ];
    }

    private function inWebsite(ProductInterface $product, int $websiteId): bool
    {
        $extension = $product->getExtensionAttributes();
        $websiteIds = null === $extension ? null : $extension->getWebsiteIds();
        // Single-website installs may store no assignment: then the product belongs to the only website.
        return null === $websiteIds || in_array($websiteId, array_map('intval', (array) $websiteIds), true);
    }
}
