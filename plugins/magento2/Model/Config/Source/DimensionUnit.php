<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Config\Source;

use Magento\Framework\Data\OptionSourceInterface;

/**
 * Choices of the "DimensionUnit" setting.
 */
class DimensionUnit implements OptionSourceInterface
{
    /**
     * @return array<int,array{value:string,label:string}>
     */
    public function toOptionArray()
    {
        return [
            ['value' => 'cm', 'label' => 'Centimetres'],
            ['value' => 'mm', 'label' => 'Millimetres'],
            ['value' => 'm', 'label' => 'Metres'],
            ['value' => 'in', 'label' => 'Inches'],
        ];
    }
}
