<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient;

use TikTokShopSync\ExtensionClient\Commands\CommandBatch;
use TikTokShopSync\ExtensionClient\Http\Transport;

/**
 * Signed JSON calls to the hub's Extension API v1, one method per endpoint. Every failure becomes a
 * HubException carrying the hub's error code and Retry-After, never a silent false.
 */
class HubClient
{
    public const API_PREFIX = '/api/v1';
    public const JSON_FLAGS = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE;

    /** @var string */
    private $baseUrl;

    /** @var Signer */
    private $signer;

    /** @var Transport */
    private $transport;

    /** @var callable(): int */
    private $clock;

    /**
     * @param string        $baseUrl Scheme, host, optional port and path prefix of the hub.
     * @param callable|null $clock   Returns Unix seconds (replaceable so signatures can be checked).
     */
    public function __construct(string $baseUrl, Signer $signer, Transport $transport, ?callable $clock = null)
    {
        $this->baseUrl = rtrim(trim($baseUrl), '/');
        $this->signer = $signer;
        $this->transport = $transport;
        $this->clock = $clock ?? 'time';
    }

    /**
     * GET /ping: the store's name, platform and TikTok connection as the hub sees them.
     *
     * @return array<string,mixed>
     */
    public function ping(): array
    {
        return $this->request('GET', '/ping', null, 10.0)['json'];
    }

    /**
     * POST /events.
     *
     * @param array<int,array<string,mixed>> $events
     * @return array<int,array<string,mixed>> One result per event, in order.
     */
    public function sendEvents(array $events, float $timeout = 20.0): array
    {
        $answer = $this->request('POST', '/events', ['events' => array_values($events)], $timeout)['json'];
        $results = isset($answer['results']) && is_array($answer['results']) ? $answer['results'] : null;
        if (null === $results || count($results) !== count($events)) {
            throw new HubException(
                'The hub answered the events call without one result per event.',
                200,
                'invalid_response'
            );
        }
        return array_values($results);
    }

    /**
     * GET /commands (long-poll). The answer may ask the store to wait before its next poll, by a
     * Retry-After header or a retry_after field (too many stores waiting at once).
     */
    public function fetchCommands(int $wait, int $limit): CommandBatch
    {
        $wait = max(0, min(30, $wait));
        $limit = max(1, min(100, $limit));
        $answer = $this->request('GET', '/commands?wait=' . $wait . '&limit=' . $limit, null, $wait + 15.0);
        $json = $answer['json'];
        $commands = [];
        if (isset($json['commands']) && is_array($json['commands'])) {
            foreach ($json['commands'] as $command) {
                if (is_array($command)) {
                    $commands[] = $command;
                }
            }
        }
        $retryAfter = self::retryAfterSeconds($answer['headers']['retry-after'] ?? null);
        if (isset($json['retry_after']) && is_numeric($json['retry_after'])) {
            $retryAfter = max($retryAfter, (int) ceil((float) $json['retry_after']));
        }
        return new CommandBatch($commands, $retryAfter);
    }

    /**
     * POST /commands/{id}/result.
     *
     * @param array<string,mixed> $result {"status":"done",...} or {"status":"failed",...}
     * @return array<string,mixed>
     */
    public function reportResult(string $commandId, array $result): array
    {
        return $this->request('POST', '/commands/' . rawurlencode($commandId) . '/result', $result, 15.0)['json'];
    }

    /**
     * GET /products/status for the store's own admin, in pages of 100 ids.
     *
     * @param array<int,string|int> $ids
     * @param float                 $timeout Short: an admin page waits for it.
     * @return array<string,array<string,mixed>> Keyed by product id.
     */
    public function productStatuses(array $ids, float $timeout = 3.0): array
    {
        $clean = [];
        foreach ($ids as $id) {
            $id = trim((string) $id);
            // Ids are sent unencoded (commas literal) so the signed path is the path on the wire.
            if ('' !== $id && preg_match('/^[A-Za-z0-9_.-]+$/', $id)) {
                $clean[$id] = true;
            }
        }
        $out = [];
        foreach (array_chunk(array_keys($clean), 100) as $chunk) {
            $answer = $this->request('GET', '/products/status?ids=' . implode(',', $chunk), null, $timeout)['json'];
            foreach ((array) ($answer['products'] ?? []) as $row) {
                if (is_array($row) && isset($row['product_id'])) {
                    $out[(string) $row['product_id']] = $row;
                }
            }
        }
        return $out;
    }

    /**
     * One signed request; the decoded JSON object and the answer's headers.
     *
     * @param array<string,mixed>|null $payload
     * @return array{json: array<string,mixed>, headers: array<string,string>, status: int}
     * @throws HubException
     */
    public function request(string $method, string $path, ?array $payload, float $timeout): array
    {
        if ('' === $this->baseUrl) {
            throw new HubException('The hub URL is not set.', 0, 'not_configured');
        }
        $url = $this->baseUrl . self::API_PREFIX . $path;
        $body = '';
        if (null !== $payload) {
            $encoded = json_encode($payload, self::JSON_FLAGS);
            if (false === $encoded) {
                throw new HubException(
                    'The request could not be encoded as JSON: ' . json_last_error_msg(),
                    0,
                    'invalid_request'
                );
            }
            $body = $encoded;
        }
        $parts = parse_url($url);
        $pathWithQuery = ($parts['path'] ?? '/') . (isset($parts['query']) ? '?' . $parts['query'] : '');
        $headers = $this->signer->headers((int) call_user_func($this->clock), $method, $pathWithQuery, $body);
        $headers['Accept'] = 'application/json';
        if ('' !== $body) {
            $headers['Content-Type'] = 'application/json; charset=utf-8';
        }

        $response = $this->transport->send($method, $url, $headers, $body, $timeout);
        $decoded = json_decode($response->body, true);
        if ($response->status < 200 || $response->status >= 300) {
            $code = 'http_' . $response->status;
            $message = 'The hub answered with HTTP ' . $response->status . '.';
            if (is_array($decoded) && isset($decoded['error']) && is_array($decoded['error'])) {
                $code = isset($decoded['error']['code']) ? (string) $decoded['error']['code'] : $code;
                $message = isset($decoded['error']['message']) ? (string) $decoded['error']['message'] : $message;
            }
            throw new HubException(
                $message,
                $response->status,
                $code,
                self::retryAfterSeconds($response->header('retry-after'))
            );
        }
        if (!is_array($decoded)) {
            throw new HubException(
                'The hub answered with something that is not JSON.',
                $response->status,
                'invalid_response'
            );
        }
        return ['json' => $decoded, 'headers' => $response->headers, 'status' => $response->status];
    }

    /**
     * Seconds from a Retry-After value: delta-seconds or an HTTP date; 0 when absent or unreadable.
     */
    public static function retryAfterSeconds(?string $value, ?int $now = null): int
    {
        $value = trim((string) $value);
        if ('' === $value) {
            return 0;
        }
        if (is_numeric($value)) {
            return max(0, (int) ceil((float) $value));
        }
        $when = strtotime($value);
        return false === $when ? 0 : max(0, $when - ($now ?? time()));
    }
}
