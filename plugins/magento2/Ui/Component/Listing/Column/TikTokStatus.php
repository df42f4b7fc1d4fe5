<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Ui\Component\Listing\Column;

use Magento\Framework\View\Element\UiComponent\ContextInterface;
use Magento\Framework\View\Element\UiComponentFactory;
use Magento\Ui\Component\Listing\Columns\Column;
use TikTokShopSync\Connector\Model\Config;
use TikTokShopSync\Connector\Model\Hub\ClientFactory;

/**
 * "TikTok" column of the product grid: the hub's status for each product of the page (one call
 * per page, 3 s timeout), with the reason on hover. Uses the first website with sync enabled.
 */
class TikTokStatus extends Column
{
    public function __construct(
        ContextInterface $context,
        UiComponentFactory $uiComponentFactory,
        private readonly Config $config,
        private readonly ClientFactory $clients,
        array $components = [],
        array $data = []
    ) {
        parent::__construct($context, $uiComponentFactory, $components, $data);
    }

    public function prepareDataSource(array $dataSource)
    {
        $items = $dataSource['data']['items'] ?? [];
        $websites = $this->config->enabledWebsiteIds();
        if (!$items || !$websites) {
            return $dataSource;
        }
        $name = (string) $this->getData('name');
        try {
            $statuses = $this->clients->forWebsite($websites[0])->productStatuses(
                array_column($items, 'entity_id'),
                3.0
            );
            $fallback = 'Not sent yet';
        } catch (\Throwable $e) {
            $statuses = [];
            $fallback = 'Hub not reachable';
        }
        foreach ($dataSource['data']['items'] as &$item) {
            $row = $statuses[(string) ($item['entity_id'] ?? '')] ?? null;
            $status = htmlspecialchars((string) ($row['status'] ?? $fallback), ENT_QUOTES);
            $reason = htmlspecialchars((string) ($row['reason'] ?? ''), ENT_QUOTES);
            $item[$name] = '' !== $reason ? '<span title="' . $reason . '">' . $status . ' ⓘ</span>' : $status;
        }
        return $dataSource;
    }
}
