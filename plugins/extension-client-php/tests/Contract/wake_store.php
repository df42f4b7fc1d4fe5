<?php

/**
 * A store's web server built only on the shared client, for the hub's wake-up contract test
 * (tests/orders/test_wakeup_php_client.py): router of PHP's built-in server.
 *
 * Every request is checked with Wake\WakeVerifier under TTS_STORE_KEY_ID / TTS_STORE_SECRET exactly
 * as received (method, path with query, raw body). A refused one gets 401 naming the failed check; an
 * accepted one gets 202 at once, and then, the response sent, the store polls the hub at
 * TTS_HUB_URL with Commands\CommandPoller (wait=0, forced) and answers each command (order.create
 * gets the order number "PHP-" + TikTok order id). Each outcome is appended to TTS_STORE_LOG as JSON.
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'TikTokShopSync\\ExtensionClient\\';
    if (0 === strncmp($class, $prefix, strlen($prefix))) {
        $file = dirname(__DIR__, 2) . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

use TikTokShopSync\ExtensionClient\Commands\CommandPoller;
use TikTokShopSync\ExtensionClient\Commands\CommandProcessor;
use TikTokShopSync\ExtensionClient\Http\CurlTransport;
use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\Signer;
use TikTokShopSync\ExtensionClient\Support\MemoryStateStore;
use TikTokShopSync\ExtensionClient\Wake\WakeRejected;
use TikTokShopSync\ExtensionClient\Wake\WakeVerifier;

$log = static function (array $entry): void {
    file_put_contents((string) getenv('TTS_STORE_LOG'), json_encode($entry) . "\n", FILE_APPEND | LOCK_EX);
};

$headers = [];
foreach ($_SERVER as $name => $value) {
    if (0 === strncmp($name, 'HTTP_', 5)) {
        $headers[str_replace('_', '-', substr($name, 5))] = (string) $value;
    }
}
$method = (string) $_SERVER['REQUEST_METHOD'];
$uri = (string) $_SERVER['REQUEST_URI'];
$body = (string) file_get_contents('php://input');
$signer = new Signer((string) getenv('TTS_STORE_KEY_ID'), (string) getenv('TTS_STORE_SECRET'));

try {
    (new WakeVerifier($signer))->verify($headers, $method, $uri, $body);
} catch (WakeRejected $refused) {
    $log(['event' => 'refused', 'code' => $refused->errorCode(), 'method' => $method, 'uri' => $uri]);
    http_response_code(401);
    header('Content-Type: application/json');
    echo json_encode(['error' => ['code' => $refused->errorCode(), 'message' => $refused->getMessage()]]);
    return;
}

$log(['event' => 'accepted', 'method' => $method, 'uri' => $uri, 'body_bytes' => strlen($body)]);
// Answer first (the hub waits at most 3 s), then poll: the wake-up carries nothing to act on.
ignore_user_abort(true);
$answer = (string) json_encode(['status' => 'polling']);
http_response_code(202);
header('Content-Type: application/json');
header('Content-Length: ' . strlen($answer));
header('Connection: close');
echo $answer;
flush();

$client = new HubClient((string) getenv('TTS_HUB_URL'), $signer, new CurlTransport('TikTokShopSync-ContractTest'));
$processor = (new CommandProcessor($client, 'contract test store'))
    ->on('order.create', static function (array $payload): array {
        return ['platform_order_id' => 'PHP-' . (string) ($payload['order']['tiktok_order_id'] ?? '')];
    });
$summary = (new CommandPoller($client, $processor, new MemoryStateStore()))->poll(0, 10, true);
$log(['event' => 'polled', 'summary' => $summary]);
