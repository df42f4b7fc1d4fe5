<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use TikTokShopSync\Connector\Model\Order\OrderReports;

/**
 * sales_order_shipment_track_save_after: a tracking number on a TikTok order's shipment sends
 * order.fulfilled (also when the number is added after the shipment was created).
 */
class ReportFulfilment implements ObserverInterface
{
    public function __construct(private readonly OrderReports $reports)
    {
    }

    public function execute(Observer $observer)
    {
        /** @var \Magento\Sales\Api\Data\ShipmentTrackInterface|null $track */
        $track = $observer->getEvent()->getData('track');
        if (!$track || !$track->getOrderId()) {
            return;
        }
        $created = (string) $track->getCreatedAt();
        $shippedAt = '' !== $created ? gmdate(
            'Y-m-d\TH:i:s\Z',
            (int) strtotime($created . ' UTC')
        ) : gmdate('Y-m-d\TH:i:s\Z');
        $carrier = trim((string) $track->getTitle()) ?: (string) $track->getCarrierCode();
        $this->reports->shipped((int) $track->getOrderId(), (string) $track->getTrackNumber(), $carrier, $shippedAt);
    }
}
