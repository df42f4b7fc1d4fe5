<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Catalog;

use Magento\Framework\App\ProductMetadataInterface;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;
use TikTokShopSync\ExtensionClient\Events\EventFactory;

/**
 * The store.update event of a website: its base currency (a currency other than the TikTok
 * shop's stops sync at the hub, which says why), units, versions and URL.
 */
class StoreFacts
{
    public const EXTENSION_VERSION = '1.0.0';

    public function __construct(
        private readonly WebsiteContext $websites,
        private readonly ProductMetadataInterface $productMetadata,
        private readonly EventFactory $events,
        private readonly OutboxTable $outbox
    ) {
    }

    /**
     * @return array<string,mixed>
     */
    public function event(int $websiteId): array
    {
        $context = $this->websites->get($websiteId);
        return $this->events->storeUpdate([
            'currency' => $context['currency'],
            'weight_unit' => $context['weight_unit'],
            'dimension_unit' => $context['dimension_unit'],
            'platform_version' => trim(
                $this->productMetadata->getName() . ' ' . $this->productMetadata->getEdition() . ' '
                . $this->productMetadata->getVersion()
            ),
            'extension_version' => self::EXTENSION_VERSION,
            'base_url' => $context['base_url'],
            // Commands added after v1 that the module carries out (Extension API v1.2): the hub sends
            // order.refund only to a store that lists it.
            'capabilities' => ['order.refund'],
        ]);
    }

    /**
     * Queues store.update (the newest replaces an unsent one).
     */
    public function queue(int $websiteId): void
    {
        $this->outbox->addEvent($websiteId, $this->event($websiteId), 'store');
    }
}
