<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Block\Adminhtml\System\Config;

use Magento\Backend\Block\Template\Context;
use Magento\Config\Block\System\Config\Form\Field;
use Magento\Framework\Data\Form\Element\AbstractElement;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;
use TikTokShopSync\Connector\Model\State\ConnectionStatus;

/**
 * Connection status of the website in scope: last successful contact, last error, changes
 * waiting, refused changes, and a warning when Magento cron has not run for five minutes.
 */
class Status extends Field
{
    public function __construct(
        Context $context,
        private readonly ConnectionStatus $status,
        private readonly OutboxTable $outbox,
        array $data = []
    ) {
        parent::__construct($context, $data);
    }

    protected function _getElementHtml(AbstractElement $element)
    {
        $websiteId = (int) $this->getRequest()->getParam('website');
        $contact = $this->status->contact($websiteId);
        $lines = [];
        $lines[] = $contact['last_ok_at'] ? 'Last contact with the hub: ' . gmdate(
            'Y-m-d H:i:s',
            $contact['last_ok_at']
        ) . ' UTC'
            : 'No successful contact with the hub yet.';
        if ('' !== $contact['last_error']) {
            $lines[] = 'Last error: ' . $contact['last_error'];
        }
        $lines[] = 'Changes waiting to be sent: ' . $this->outbox->pendingCount($websiteId);
        foreach ($this->outbox->recentRejections($websiteId, 5) as $row) {
            $lines[] = 'Refused by the hub (' . $row['event_type'] . ' ' . $row['dedupe_key'] . '): '
                . $row['last_error'];
        }
        $cron = $this->status->lastCronRun();
        $lines[] = $cron ? 'Last cron run: ' . gmdate('Y-m-d H:i:s', $cron) . ' UTC' : 'Cron has not run yet.';
        $html = '';
        foreach ($lines as $line) {
            $html .= '<div>' . $this->escapeHtml($line) . '</div>';
        }
        $warning = $this->status->cronWarning();
        if (null !== $warning) {
            $html .= '<div class="message message-warning">' . $this->escapeHtml($warning) . '</div>';
        }
        return $html;
    }
}
