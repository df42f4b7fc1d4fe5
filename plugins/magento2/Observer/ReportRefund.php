<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use TikTokShopSync\Connector\Model\Order\OrderReports;

/**
 * sales_order_creditmemo_refund: a TikTok order refunded in Magento (a credit memo).
 */
class ReportRefund implements ObserverInterface
{
    public function __construct(private readonly OrderReports $reports)
    {
    }

    public function execute(Observer $observer)
    {
        $creditmemo = $observer->getEvent()->getData('creditmemo');
        if ($creditmemo && $creditmemo->getOrderId()) {
            $this->reports->cancelled((int) $creditmemo->getOrderId(), 'Refunded in Magento');
        }
    }
}
