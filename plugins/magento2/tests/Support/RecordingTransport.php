<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Support;

use TikTokShopSync\ExtensionClient\Http\CurlTransport;
use TikTokShopSync\ExtensionClient\Http\Response;
use TikTokShopSync\ExtensionClient\Http\Transport;
use TikTokShopSync\ExtensionClient\HubException;

/**
 * The module's real transport (curl), with every exchange kept so a test can read what the hub
 * was sent and what it answered.
 */
final class RecordingTransport implements Transport
{
    /** @var array<int,array{method:string,path:string,body:string,status:int,answer:string}> */
    public array $exchanges = [];
    private CurlTransport $inner;

    public function __construct()
    {
        $this->inner = new CurlTransport('TikTokShopSync-Magento2-tests');
    }

    public function send(string $method, string $url, array $headers, string $body, float $timeout): Response
    {
        $path = (string) parse_url($url, PHP_URL_PATH) . (
            parse_url($url, PHP_URL_QUERY) ? '?' . parse_url($url, PHP_URL_QUERY) : ''
        );
        try {
            $response = $this->inner->send($method, $url, $headers, $body, $timeout);
        } catch (HubException $e) {
            $this->exchanges[] = [
                'method' => $method,
                'path' => $path,
                'body' => $body,
                'status' => 0,
                'answer' => $e->getMessage(),
            ];
            throw $e;
        }
        $this->exchanges[] = [
            'method' => $method,
            'path' => $path,
            'body' => $body,
            'status' => $response->status,
            'answer' => $response->body,
        ];
        return $response;
    }

    /**
     * Events posted, each with the hub's result for it.
     *
     * @return array<int,array{event:array<string,mixed>,result:array<string,mixed>}>
     */
    public function answeredEvents(?string $type = null): array
    {
        $out = [];
        foreach ($this->exchanges as $exchange) {
            if ('/api/v1/events' !== $exchange['path'] || 200 !== $exchange['status']) {
                continue;
            }
            $events = json_decode($exchange['body'], true)['events'];
            $results = json_decode($exchange['answer'], true)['results'];
            foreach ($events as $i => $event) {
                if (null === $type || $type === $event['type']) {
                    $out[] = ['event' => $event, 'result' => $results[$i]];
                }
            }
        }
        return $out;
    }

    /**
     * Results posted for commands.
     *
     * @return array<int,array{command_id:string,body:array<string,mixed>,status:int,answer:string}>
     */
    public function results(): array
    {
        $out = [];
        foreach ($this->exchanges as $exchange) {
            if (preg_match('#^/api/v1/commands/([^/]+)/result$#', $exchange['path'], $m)) {
                $out[] = [
                    'command_id' => rawurldecode($m[1]),
                    'body' => json_decode($exchange['body'], true),
                    'status' => $exchange['status'],
                    'answer' => $exchange['answer'],
                ];
            }
        }
        return $out;
    }
}
