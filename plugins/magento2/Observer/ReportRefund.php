<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use TikTokShopSync\Connector\Model\Order\OrderReports;

/**
 * sales_order_creditmemo_refund: a credit memo of a TikTok order is being refunded. Magento fires it
 * before the credit memo is saved (it has no id yet), so this only marks a merchant's credit memo;
 * ReportRefundSaved sends order.refunded once it is saved. Credit memos the module makes for
 * order.refund are not marked (no echo of TikTok's own refund).
 */
class ReportRefund implements ObserverInterface
{
    public const MARK = 'tiktokshop_report_refund';

    public function __construct(private readonly OrderReports $reports)
    {
    }

    public function execute(Observer $observer)
    {
        $creditmemo = $observer->getEvent()->getData('creditmemo');
        $orderId = $creditmemo ? (int) $creditmemo->getOrderId() : 0;
        if ($orderId > 0 && $this->reports->reportsRefundOf($orderId)) {
            $creditmemo->setData(self::MARK, true);
        }
    }
}
