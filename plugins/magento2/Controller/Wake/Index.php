<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Controller\Wake;

use Magento\Framework\App\Action\HttpPostActionInterface;
use Magento\Framework\App\CsrfAwareActionInterface;
use Magento\Framework\App\Request\Http;
use Magento\Framework\App\Request\InvalidRequestException;
use Magento\Framework\App\RequestInterface;
use Magento\Framework\Controller\Result\JsonFactory;
use Magento\Framework\MessageQueue\PublisherInterface;
use TikTokShopSync\Connector\Model\Config;
use TikTokShopSync\Connector\Model\Hub\ClientFactory;
use TikTokShopSync\ExtensionClient\Wake\WakeRejected;
use TikTokShopSync\ExtensionClient\Wake\WakeVerifier;

/**
 * POST /tiktokshop/wake/index — the hub's signed, content-free "commands are waiting" call. The
 * website is the one whose key signed it; the poll itself runs in the queue consumer, so this
 * answers at once. Not a form post: the HMAC replaces Magento's form key.
 */
class Index implements HttpPostActionInterface, CsrfAwareActionInterface
{
    public const TOPIC = 'tiktokshop.commands.poll';

    public function __construct(
        private readonly Http $request,
        private readonly JsonFactory $jsonFactory,
        private readonly Config $config,
        private readonly ClientFactory $clients,
        private readonly PublisherInterface $publisher
    ) {
    }

    public function execute()
    {
        $result = $this->jsonFactory->create();
        $keyId = trim((string) $this->request->getHeader('X-Hub-Key'));
        $websiteId = '' === $keyId ? null : $this->config->websiteIdForKey($keyId);
        $headers = [
            'X-Hub-Key' => $keyId,
            'X-Hub-Timestamp' => (string) $this->request->getHeader('X-Hub-Timestamp'),
            'X-Hub-Signature' => (string) $this->request->getHeader('X-Hub-Signature'),
        ];
        try {
            if (null === $websiteId) {
                throw new WakeRejected(
                    '' === $keyId ? 'missing_credentials' : 'unknown_key',
                    'No website with sync enabled has this key.'
                );
            }
            (new WakeVerifier($this->clients->signer($websiteId)))->verify(
                $headers,
                (string) $this->request->getMethod(),
                (string) $this->request->getRequestUri(),
                (string) $this->request->getContent()
            );
        } catch (WakeRejected $e) {
            $result->setHttpResponseCode(401);
            return $result->setData(
                ['error' => ['code' => $e->errorCode(), 'message' => $e->getMessage(), 'details' => []]]
            );
        }
        $this->publisher->publish(self::TOPIC, (string) $websiteId);
        $result->setHttpResponseCode(202);
        return $result->setData(['status' => 'queued']);
    }

    public function createCsrfValidationException(RequestInterface $request): ?InvalidRequestException
    {
        return null;
    }

    public function validateForCsrf(RequestInterface $request): ?bool
    {
        return true;
    }
}
