<?php

/**
 * Doubles of Magento's store types: websites, store groups, store views and their configuration.
 */

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Support;

use Magento\Store\Api\Data\GroupInterface;
use Magento\Store\Api\Data\StoreConfigInterface;
use Magento\Store\Api\Data\StoreInterface;
use Magento\Store\Api\Data\WebsiteInterface;
use Magento\Store\Api\StoreConfigManagerInterface;
use Magento\Store\Model\StoreManagerInterface;

final class WebsiteDouble implements WebsiteInterface
{
    public function __construct(private int $id, private string $code, private int $groupId)
    {
    }

    public function getId()
    {
        return $this->id;
    }

    public function getCode()
    {
        return $this->code;
    }

    public function getName()
    {
        return ucfirst($this->code);
    }

    public function getDefaultGroupId()
    {
        return $this->groupId;
    }
}

final class GroupDouble implements GroupInterface
{
    public function __construct(private int $defaultStoreId)
    {
    }

    public function getDefaultStoreId()
    {
        return $this->defaultStoreId;
    }
}

final class StoreDouble implements StoreInterface
{
    public function __construct(private int $id, private string $code, private int $websiteId)
    {
    }

    public function getId()
    {
        return $this->id;
    }

    public function getCode()
    {
        return $this->code;
    }

    public function getWebsiteId()
    {
        return $this->websiteId;
    }
}

final class StoreConfigDouble implements StoreConfigInterface
{
    public function __construct(private string $code, private string $currency, private string $baseUrl)
    {
    }

    public function getCode()
    {
        return $this->code;
    }

    public function getBaseCurrencyCode()
    {
        return $this->currency;
    }

    public function getWeightUnit()
    {
        return 'kgs';
    }

    public function getSecureBaseUrl()
    {
        return $this->baseUrl;
    }

    public function getSecureBaseMediaUrl()
    {
        return $this->baseUrl . 'media/';
    }
}

/**
 * Websites 1 (base, store view 1, GBP) and 2 (eu, store view 2, EUR) unless told otherwise.
 */
final class StoreManagerDouble implements StoreManagerInterface, StoreConfigManagerInterface
{
    /** @var array<int,WebsiteDouble> */
    public array $websites = [];
    /** @var array<int,StoreDouble> */
    public array $stores = [];
    /** @var array<int,GroupDouble> */
    public array $groups = [];
    /** @var array<string,StoreConfigDouble> */
    public array $configs = [];
    public ?int $currentStore = null;

    public function __construct()
    {
        $this->addWebsite(1, 'base', 'default', 'GBP', 'https://shop.example/');
        $this->addWebsite(2, 'eu', 'eu_en', 'EUR', 'https://eu.shop.example/');
    }

    public function addWebsite(int $id, string $code, string $storeCode, string $currency, string $baseUrl): void
    {
        $this->websites[$id] = new WebsiteDouble($id, $code, $id);
        $this->groups[$id] = new GroupDouble($id);
        $this->stores[$id] = new StoreDouble($id, $storeCode, $id);
        $this->configs[$storeCode] = new StoreConfigDouble($storeCode, $currency, $baseUrl);
    }

    public function setIsSingleStoreModeAllowed($value)
    {
    }

    public function hasSingleStore()
    {
        return false;
    }

    public function isSingleStoreMode()
    {
        return false;
    }

    public function getStore($storeId = null)
    {
        return $this->stores[(int) ($storeId ?? $this->currentStore ?? 1)];
    }

    public function getStores($withDefault = false, $codeKey = false)
    {
        return $this->stores;
    }

    public function getWebsite($websiteId = null)
    {
        return $this->websites[(int) ($websiteId ?? 1)];
    }

    public function getWebsites($withDefault = false, $codeKey = false)
    {
        return $this->websites;
    }

    public function reinitStores()
    {
    }

    public function getDefaultStoreView()
    {
        return $this->stores[1];
    }

    public function getGroup($groupId = null)
    {
        return $this->groups[(int) ($groupId ?? 1)];
    }

    public function getGroups($withDefault = false)
    {
        return $this->groups;
    }

    public function setCurrentStore($store)
    {
        $this->currentStore = (int) $store;
    }

    public function getStoreConfigs(?array $storeCodes = null)
    {
        return array_values(array_intersect_key($this->configs, array_flip($storeCodes ?? array_keys($this->configs))));
    }
}
