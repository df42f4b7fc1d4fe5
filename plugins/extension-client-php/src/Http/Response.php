<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Http;

/**
 * One HTTP answer: status, headers with lower-case names, raw body.
 */
final class Response
{
    /** @var int */
    public $status;

    /** @var array<string,string> */
    public $headers;

    /** @var string */
    public $body;

    /**
     * @param array<string,string> $headers
     */
    public function __construct(int $status, array $headers, string $body)
    {
        $this->status = $status;
        $this->headers = array_change_key_case($headers, CASE_LOWER);
        $this->body = $body;
    }

    public function header(string $name): ?string
    {
        $name = strtolower($name);
        return isset($this->headers[$name]) ? $this->headers[$name] : null;
    }
}
