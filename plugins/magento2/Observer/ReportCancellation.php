<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use TikTokShopSync\Connector\Model\Order\OrderReports;

/**
 * order_cancel_after: a TikTok order cancelled by the merchant in Magento.
 */
class ReportCancellation implements ObserverInterface
{
    public function __construct(private readonly OrderReports $reports)
    {
    }

    public function execute(Observer $observer)
    {
        $order = $observer->getEvent()->getData('order');
        if ($order && $order->getEntityId()) {
            $this->reports->cancelled((int) $order->getEntityId(), 'Cancelled in Magento');
        }
    }
}
