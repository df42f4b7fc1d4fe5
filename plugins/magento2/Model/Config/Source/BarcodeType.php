<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Config\Source;

use Magento\Framework\Data\OptionSourceInterface;

/**
 * Choices of the "BarcodeType" setting.
 */
class BarcodeType implements OptionSourceInterface
{
    /**
     * @return array<int,array{value:string,label:string}>
     */
    public function toOptionArray()
    {
        return [
            ['value' => 'auto', 'label' => 'Detect from the number of digits'],
            ['value' => 'EAN', 'label' => 'EAN'],
            ['value' => 'UPC', 'label' => 'UPC'],
            ['value' => 'GTIN', 'label' => 'GTIN'],
            ['value' => 'ISBN', 'label' => 'ISBN'],
        ];
    }
}
