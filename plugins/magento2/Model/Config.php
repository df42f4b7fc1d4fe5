<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\Encryption\EncryptorInterface;
use Magento\Store\Model\ScopeInterface;
use Magento\Store\Model\StoreManagerInterface;

/**
 * The module's settings, read per website: each website is its own store connection at the hub.
 */
class Config
{
    public const PATH_ENABLED = 'tiktokshop/connection/enabled';
    public const PATH_HUB_URL = 'tiktokshop/connection/hub_url';
    public const PATH_KEY_ID = 'tiktokshop/connection/key_id';
    public const PATH_SECRET = 'tiktokshop/connection/secret';
    public const PATH_BARCODE_ATTRIBUTE = 'tiktokshop/catalog/barcode_attribute';
    public const PATH_BARCODE_TYPE = 'tiktokshop/catalog/barcode_type';
    public const PATH_LENGTH_ATTRIBUTE = 'tiktokshop/catalog/length_attribute';
    public const PATH_WIDTH_ATTRIBUTE = 'tiktokshop/catalog/width_attribute';
    public const PATH_HEIGHT_ATTRIBUTE = 'tiktokshop/catalog/height_attribute';
    public const PATH_DIMENSION_UNIT = 'tiktokshop/catalog/dimension_unit';
    public const PATH_WEIGHT_UNIT = 'tiktokshop/catalog/weight_unit';
    public const PATH_LOCALE_WEIGHT_UNIT = 'general/locale/weight_unit';

    public function __construct(
        private readonly ScopeConfigInterface $scopeConfig,
        private readonly EncryptorInterface $encryptor,
        private readonly StoreManagerInterface $storeManager
    ) {
    }

    public function isEnabled(int $websiteId): bool
    {
        return $this->scopeConfig->isSetFlag(self::PATH_ENABLED, ScopeInterface::SCOPE_WEBSITES, $websiteId)
            && '' !== $this->hubUrl($websiteId) && '' !== $this->keyId($websiteId) && '' !== $this->secret($websiteId);
    }

    public function hubUrl(int $websiteId): string
    {
        return rtrim($this->value(self::PATH_HUB_URL, $websiteId), '/');
    }

    public function keyId(int $websiteId): string
    {
        return $this->value(self::PATH_KEY_ID, $websiteId);
    }

    /**
     * Magento hands this path out decrypted: config.xml declares it with the Encrypted backend model,
     * whose processValue() Magento's config reader applies. A value still in the encrypted form
     * ("<key version>:<cipher version>:<data>", e.g. written to env.php by hand) is decrypted here.
     */
    public function secret(int $websiteId): string
    {
        $value = $this->value(self::PATH_SECRET, $websiteId);
        if (1 === preg_match('/^\d+:\d+:/', $value)) {
            $value = trim((string) $this->encryptor->decrypt($value));
        }
        return $value;
    }

    /**
     * Websites whose sync is on and whose connection is complete.
     *
     * @return int[]
     */
    public function enabledWebsiteIds(): array
    {
        $ids = [];
        foreach ($this->storeManager->getWebsites() as $website) {
            $id = (int) $website->getId();
            if ($this->isEnabled($id)) {
                $ids[] = $id;
            }
        }
        return $ids;
    }

    /**
     * The enabled website whose key id is the given one (a wake-up names its key).
     */
    public function websiteIdForKey(string $keyId): ?int
    {
        foreach ($this->enabledWebsiteIds() as $websiteId) {
            if (hash_equals($this->keyId($websiteId), $keyId)) {
                return $websiteId;
            }
        }
        return null;
    }

    /**
     * The default store view of a website: its names, descriptions and URLs are the ones sent.
     */
    public function defaultStoreId(int $websiteId): int
    {
        $website = $this->storeManager->getWebsite($websiteId);
        return (int) $this->storeManager->getGroup($website->getDefaultGroupId())->getDefaultStoreId();
    }

    public function barcodeAttribute(int $websiteId): string
    {
        return $this->value(self::PATH_BARCODE_ATTRIBUTE, $websiteId);
    }

    public function barcodeType(int $websiteId): string
    {
        return $this->value(self::PATH_BARCODE_TYPE, $websiteId) ?: 'auto';
    }

    /**
     * @return array{length:string,width:string,height:string}
     */
    public function dimensionAttributes(int $websiteId): array
    {
        return [
            'length' => $this->value(self::PATH_LENGTH_ATTRIBUTE, $websiteId),
            'width' => $this->value(self::PATH_WIDTH_ATTRIBUTE, $websiteId),
            'height' => $this->value(self::PATH_HEIGHT_ATTRIBUTE, $websiteId),
        ];
    }

    public function dimensionUnit(int $websiteId): string
    {
        $unit = $this->value(self::PATH_DIMENSION_UNIT, $websiteId);
        return in_array($unit, ['cm', 'mm', 'm', 'in'], true) ? $unit : 'cm';
    }

    /**
     * The canonical weight unit: the module's override, else Magento's locale setting (kgs/lbs).
     */
    public function weightUnit(int $websiteId): string
    {
        $unit = $this->value(self::PATH_WEIGHT_UNIT, $websiteId) ?: $this->value(
            self::PATH_LOCALE_WEIGHT_UNIT,
            $websiteId
        );
        return match ($unit) {
            'lbs', 'lb' => 'lb',
            'g' => 'g',
            'oz' => 'oz',
            default => 'kg',
        };
    }

    private function value(string $path, int $websiteId): string
    {
        return trim((string) $this->scopeConfig->getValue($path, ScopeInterface::SCOPE_WEBSITES, $websiteId));
    }
}
