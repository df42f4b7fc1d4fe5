<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Catalog;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Store\Api\StoreConfigManagerInterface;
use Magento\Store\Model\ScopeInterface;
use Magento\Store\Model\StoreManagerInterface;
use TikTokShopSync\Connector\Model\Config;

/**
 * The facts of one website that every product of it shares: its default store view, base
 * currency, URLs and units. Read once per website and request.
 */
class WebsiteContext
{
    /** @var array<int,array<string,mixed>> */
    private array $cache = [];

    public function __construct(
        private readonly Config $config,
        private readonly StoreManagerInterface $storeManager,
        private readonly StoreConfigManagerInterface $storeConfigs,
        private readonly ScopeConfigInterface $scopeConfig
    ) {
    }

    /**
     * @return array{website_id:int,website_code:string,store_id:int,store_code:string,currency:string,
     *     base_url:string,link_url:string,media_url:string,url_suffix:string,weight_unit:string,dimension_unit:string,
     *     barcode_attribute:string,barcode_type:string,dimension_attributes:array<string,string>,
     *     prices_include_tax:bool}
     */
    public function get(int $websiteId): array
    {
        if (isset($this->cache[$websiteId])) {
            return $this->cache[$websiteId];
        }
        $storeId = $this->config->defaultStoreId($websiteId);
        $store = $this->storeManager->getStore($storeId);
        $storeConfig = null;
        foreach ($this->storeConfigs->getStoreConfigs([(string) $store->getCode()]) as $candidate) {
            $storeConfig = $candidate;
        }
        $website = $this->storeManager->getWebsite($websiteId);
        return $this->cache[$websiteId] = [
            'website_id' => $websiteId,
            'website_code' => (string) $website->getCode(),
            'store_id' => $storeId,
            'store_code' => (string) $store->getCode(),
            'currency' => strtoupper((string) ($storeConfig ? $storeConfig->getBaseCurrencyCode() : '')),
            'base_url' => (string) ($storeConfig ? $storeConfig->getSecureBaseUrl() : ''),
            // Built from the base URL: Magento's link URL names the running script when read from cron or the CLI.
            'link_url' => (string) ($storeConfig ? $storeConfig->getSecureBaseUrl() : '')
                . ($this->scopeConfig->isSetFlag('web/seo/use_rewrites', ScopeInterface::SCOPE_STORES, $storeId)
                    ? ''
                    : 'index.php/'),
            'media_url' => (string) ($storeConfig ? $storeConfig->getSecureBaseMediaUrl() : ''),
            'url_suffix' => (string) $this->scopeConfig->getValue(
                'catalog/seo/product_url_suffix',
                ScopeInterface::SCOPE_STORES,
                $storeId
            ),
            'weight_unit' => $this->config->weightUnit($websiteId),
            'dimension_unit' => $this->config->dimensionUnit($websiteId),
            'barcode_attribute' => $this->config->barcodeAttribute($websiteId),
            'barcode_type' => $this->config->barcodeType($websiteId),
            'dimension_attributes' => $this->config->dimensionAttributes($websiteId),
            // Stores → Configuration → Sales → Tax → Calculation Settings → Catalog Prices (default: excluding).
            'prices_include_tax' => $this->scopeConfig->isSetFlag(
                'tax/calculation/price_includes_tax',
                ScopeInterface::SCOPE_STORES,
                $storeId
            ),
        ];
    }
}
