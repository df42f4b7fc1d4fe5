<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Controller\Adminhtml\Connection;

use Magento\Backend\App\Action;
use Magento\Backend\App\Action\Context;
use Magento\Framework\App\Action\HttpPostActionInterface;
use Magento\Framework\Controller\Result\JsonFactory;
use TikTokShopSync\Connector\Model\Config;
use TikTokShopSync\Connector\Model\Hub\ClientFactory;
use TikTokShopSync\Connector\Model\State\ConnectionStatus;
use TikTokShopSync\ExtensionClient\HubException;

/**
 * "Test connection" on the settings page: pings the hub with the website's saved settings (or the
 * URL and key typed but not saved yet; the secret is never sent back to the browser) and shows
 * the hub's own explanation when it refuses.
 */
class Test extends Action implements HttpPostActionInterface
{
    public const ADMIN_RESOURCE = 'TikTokShopSync_Connector::config';

    public function __construct(
        Context $context,
        private readonly JsonFactory $jsonFactory,
        private readonly Config $config,
        private readonly ClientFactory $clients,
        private readonly ConnectionStatus $status
    ) {
        parent::__construct($context);
    }

    public function execute()
    {
        $websiteId = (int) $this->getRequest()->getParam('website');
        $url = trim((string) $this->getRequest()->getParam('hub_url')) ?: $this->config->hubUrl($websiteId);
        $key = trim((string) $this->getRequest()->getParam('key_id')) ?: $this->config->keyId($websiteId);
        $client = $this->clients->forSettings($url, $key, $this->config->secret($websiteId));
        try {
            $ping = $client->ping();
            $this->status->recordContact($websiteId, true, '');
            $tiktok = (array) ($ping['tiktok'] ?? []);
            $message = sprintf(
                'Connected to the hub as "%s". TikTok Shop: %s.',
                (string) ($ping['store_name'] ?? ''),
                !empty($tiktok['connected'])
                    ? 'connected (' . ($tiktok['shop_name'] ?? '') . ', ' . ($tiktok['region'] ?? '') . ')'
                    : 'not connected yet'
            );
            return $this->jsonFactory->create()->setData(['ok' => true, 'message' => $message]);
        } catch (HubException $e) {
            $this->status->recordContact($websiteId, false, $e->getMessage());
            return $this->jsonFactory->create()->setData(
                ['ok' => false, 'message' => $e->getMessage(), 'code' => $e->errorCode()]
            );
        }
    }
}
