<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Config\Source;

use Magento\Framework\Data\OptionSourceInterface;

/**
 * Choices of the "WeightUnit" setting.
 */
class WeightUnit implements OptionSourceInterface
{
    /**
     * @return array<int,array{value:string,label:string}>
     */
    public function toOptionArray()
    {
        return [
            ['value' => '', 'label' => 'Magento\'s locale setting'],
            ['value' => 'kgs', 'label' => 'Kilograms'],
            ['value' => 'lbs', 'label' => 'Pounds'],
            ['value' => 'g', 'label' => 'Grams'],
            ['value' => 'oz', 'label' => 'Ounces'],
        ];
    }
}
