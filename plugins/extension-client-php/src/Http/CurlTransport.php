<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Http;

use TikTokShopSync\ExtensionClient\HubException;

/**
 * Transport over PHP's curl extension: no redirects (a signed path must not change under us),
 * a short connect timeout so an unreachable hub never holds a page or a cron run for long.
 */
final class CurlTransport implements Transport
{
    /** @var string */
    private $userAgent;

    /** @var float */
    private $connectTimeout;

    /** @var array<int,mixed> */
    private $extraOptions;

    /**
     * @param array<int,mixed> $extraOptions More CURLOPT_* settings (proxy, CA bundle) from the host platform.
     */
    public function __construct(
        string $userAgent = 'TikTokShopSync',
        float $connectTimeout = 3.0,
        array $extraOptions = []
    ) {
        $this->userAgent = $userAgent;
        $this->connectTimeout = $connectTimeout;
        $this->extraOptions = $extraOptions;
    }

    public function send(string $method, string $url, array $headers, string $body, float $timeout): Response
    {
        $handle = curl_init($url);
        if (false === $handle) {
            throw new HubException('The hub could not be reached: curl could not start.', 0, 'unreachable');
        }
        $lines = [];
        foreach ($headers as $name => $value) {
            $lines[] = $name . ': ' . $value;
        }
        // Without this curl sends "Expect: 100-continue" for large bodies and waits for an answer first.
        $lines[] = 'Expect:';
        $received = [];
        $options = [
            CURLOPT_CUSTOMREQUEST => strtoupper($method),
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_USERAGENT => $this->userAgent,
            CURLOPT_CONNECTTIMEOUT_MS => (int) ceil(1000 * min($this->connectTimeout, max(0.1, $timeout))),
            CURLOPT_TIMEOUT_MS => (int) ceil(1000 * max(0.1, $timeout)),
            CURLOPT_NOSIGNAL => true,
            CURLOPT_HEADERFUNCTION => static function ($curl, string $line) use (&$received): int {
                $parts = explode(':', $line, 2);
                if (2 === count($parts)) {
                    $received[strtolower(trim($parts[0]))] = trim($parts[1]);
                } elseif (0 === strncmp($line, 'HTTP/', 5)) {
                    // A new status line (after 100 Continue): only the last answer's headers count.
                    $received = [];
                }
                return strlen($line);
            },
        ];
        if ('' !== $body) {
            $options[CURLOPT_POSTFIELDS] = $body;
        }
        curl_setopt_array($handle, $this->extraOptions + $options);
        $answer = curl_exec($handle);
        if (false === $answer) {
            $error = curl_error($handle);
            curl_close($handle);
            throw new HubException('The hub could not be reached: ' . $error, 0, 'unreachable');
        }
        $status = (int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE);
        curl_close($handle);
        return new Response($status, $received, (string) $answer);
    }
}
