<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Quote\Model;

class Quote extends \Magento\Framework\DataObject implements \Magento\Framework\Api\CustomAttributesDataInterface, \Magento\Quote\Api\Data\CartInterface
{
    public function getCustomAttribute($attributeCode)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getCustomAttributes()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function addProduct(\Magento\Catalog\Model\Product $product, $request = null, $processMode = \Magento\Catalog\Model\Product\Type\AbstractType::PROCESS_MODE_FULL)
    {
        $item = new \Magento\Quote\Model\Quote\Item(['product' => $product, 'qty' => $request instanceof \Magento\Framework\DataObject ? $request->getData('qty') : 1, 'sku' => $product->getSku()]);
        $this->_data['items'][] = $item;
        return $item;
    }
    public function getBillingAddress()
    {
        return $this->_data['billing_address'] ??= new \Magento\Quote\Model\Quote\Address(['address_type' => 'billing']);
    }
    public function getShippingAddress()
    {
        return $this->_data['shipping_address'] ??= new \Magento\Quote\Model\Quote\Address(['address_type' => 'shipping']);
    }
    public function setCustomerIsGuest($customerIsGuest)
    {
        return $this->setData('customer_is_guest', $customerIsGuest);
    }
    public function collectTotals()
    {
        $subtotal = 0.0;
        foreach ($this->getAllItems() as $item) {
            $subtotal += (float) $item->getData('custom_price') * (float) $item->getData('qty');
        }
        $rate = $this->getShippingAddress()->getShippingRateByCode((string) $this->getShippingAddress()->getData('shipping_method'));
        $shipping = $rate ? (float) $rate->getData('price') : 0.0;
        $this->setData('subtotal', $subtotal);
        $this->getShippingAddress()->setData('shipping_amount', $shipping);
        return $this->setData('grand_total', $subtotal + $shipping);
    }
    public function getPayment()
    {
        return $this->_data['payment'] ??= new \Magento\Quote\Model\Quote\Payment();
    }
    public function setStoreId($storeId)
    {
        return $this->setData('store_id', (int) $storeId);
    }
    public function getAllItems()
    {
        return $this->_data['items'] ?? [];
    }
}
