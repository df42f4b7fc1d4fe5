<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use TikTokShopSync\Connector\Model\Order\OrderReports;

/**
 * sales_order_creditmemo_save_after: a credit memo ReportRefund marked is saved; order.refunded goes
 * to the outbox in the same transaction, once (the mark is removed, so later saves of the credit
 * memo, e.g. a comment, report nothing).
 */
class ReportRefundSaved implements ObserverInterface
{
    public function __construct(private readonly OrderReports $reports)
    {
    }

    public function execute(Observer $observer)
    {
        $creditmemo = $observer->getEvent()->getData('creditmemo');
        if ($creditmemo && $creditmemo->getData(ReportRefund::MARK)) {
            $creditmemo->unsetData(ReportRefund::MARK);
            $this->reports->refunded($creditmemo);
        }
    }
}
