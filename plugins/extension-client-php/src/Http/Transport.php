<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Http;

use TikTokShopSync\ExtensionClient\HubException;

/**
 * Sends one HTTP request. Each platform plugs in its own (WordPress's HTTP API, curl for Magento),
 * so proxies and CA settings of the host platform apply to calls to the hub.
 */
interface Transport
{
    /**
     * @param array<string,string> $headers
     * @param float                $timeout Seconds for the whole exchange.
     * @throws HubException With status 0 and code "unreachable" when no HTTP answer arrived.
     */
    public function send(string $method, string $url, array $headers, string $body, float $timeout): Response;
}
