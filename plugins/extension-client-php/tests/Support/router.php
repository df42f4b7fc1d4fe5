<?php

/**
 * Router of PHP's built-in web server for the library's tests: records each request (with whether
 * its Extension API signature checks out under TTS_TEST_SECRET) and answers with the next scripted
 * response, or 200 {} when none is left.
 */

declare(strict_types=1);

$dir = (string) getenv('TTS_TEST_SERVER_DIR');
$body = (string) file_get_contents('php://input');
$headers = [];
foreach ($_SERVER as $name => $value) {
    if (0 === strncmp($name, 'HTTP_', 5)) {
        $headers[strtolower(str_replace('_', '-', substr($name, 5)))] = $value;
    }
}
$uri = (string) $_SERVER['REQUEST_URI'];
$method = (string) $_SERVER['REQUEST_METHOD'];
$timestamp = $headers['x-hub-timestamp'] ?? '';
$expected = 'sha256=' . hash_hmac(
    'sha256',
    $timestamp . "\n" . $method . "\n" . $uri . "\n" . $body,
    (string) getenv('TTS_TEST_SECRET')
);
$record = [
    'method' => $method,
    'uri' => $uri,
    'headers' => $headers,
    'body' => $body,
    'signature_ok' => hash_equals($expected, $headers['x-hub-signature'] ?? ''),
];

$lock = fopen($dir . '/lock', 'c');
flock($lock, LOCK_EX);
file_put_contents($dir . '/requests.jsonl', json_encode($record) . "\n", FILE_APPEND);
$queue = json_decode((string) @file_get_contents($dir . '/responses.json'), true) ?: [];
$response = array_shift($queue) ?: ['status' => 200, 'headers' => [], 'body' => '{}'];
file_put_contents($dir . '/responses.json', json_encode($queue));
flock($lock, LOCK_UN);

if (!empty($response['sleep'])) {
    usleep((int) (1000000 * $response['sleep']));
}
http_response_code((int) $response['status']);
header('Content-Type: application/json');
foreach ((array) ($response['headers'] ?? []) as $name => $value) {
    header($name . ': ' . $value);
}
echo is_string($response['body']) ? $response['body'] : json_encode($response['body']);
