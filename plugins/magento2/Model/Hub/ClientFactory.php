<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Hub;

use TikTokShopSync\Connector\Model\Config;
use TikTokShopSync\ExtensionClient\Http\Transport;
use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\Signer;

/**
 * One configured hub client per website connection.
 */
class ClientFactory
{
    /** @var array<int,HubClient> */
    private array $clients = [];

    public function __construct(
        private readonly Config $config,
        private readonly Transport $transport
    ) {
    }

    public function forWebsite(int $websiteId): HubClient
    {
        return $this->clients[$websiteId] ??= new HubClient(
            $this->config->hubUrl($websiteId),
            $this->signer($websiteId),
            $this->transport
        );
    }

    public function signer(int $websiteId): Signer
    {
        return new Signer($this->config->keyId($websiteId), $this->config->secret($websiteId));
    }

    /**
     * A client for settings typed into the page but not saved yet (Test connection).
     */
    public function forSettings(string $hubUrl, string $keyId, string $secret): HubClient
    {
        return new HubClient($hubUrl, new Signer($keyId, $secret), $this->transport);
    }
}
