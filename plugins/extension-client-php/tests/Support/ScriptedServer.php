<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Tests\Support;

/**
 * A real HTTP server on loopback (PHP's built-in server with tests/support/router.php) that answers
 * with scripted responses and records what it received, so the client is tested over real sockets.
 */
final class ScriptedServer
{
    public const SECRET = 'test-secret-0123456789';

    /** @var string */
    public $url;

    /** @var string */
    private $dir;

    /** @var resource */
    private $process;

    public function __construct()
    {
        $this->dir = sys_get_temp_dir() . '/tts-scripted-' . getmypid() . '-' . bin2hex(random_bytes(3));
        mkdir($this->dir);
        $port = self::freePort();
        $this->url = 'http://127.0.0.1:' . $port;
        $env = getenv();
        $env['TTS_TEST_SERVER_DIR'] = $this->dir;
        $env['TTS_TEST_SECRET'] = self::SECRET;
        $env['PHP_CLI_SERVER_WORKERS'] = '2';
        $cmd = 'exec ' . escapeshellarg(PHP_BINARY) . ' -S 127.0.0.1:' . $port . ' ' . escapeshellarg(
            __DIR__ . '/router.php'
        );
        $this->process = proc_open(
            $cmd,
            [1 => ['file', $this->dir . '/server.log', 'a'], 2 => ['file', $this->dir . '/server.log', 'a']],
            $pipes,
            null,
            $env
        );
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            $socket = @fsockopen('127.0.0.1', $port, $errno, $errstr, 0.2);
            if ($socket) {
                fclose($socket);
                return;
            }
            usleep(20000);
        }
        throw new \RuntimeException(
            'The scripted server did not start: ' . file_get_contents($this->dir . '/server.log')
        );
    }

    public function __destruct()
    {
        $this->stop();
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process);
            proc_close($this->process);
        }
        if (is_dir($this->dir)) {
            array_map('unlink', glob($this->dir . '/*') ?: []);
            rmdir($this->dir);
        }
    }

    /**
     * Queues responses, answered in order.
     *
     * @param array<int,array{status:int,headers?:array<string,string>,body:mixed,sleep?:float}> $responses
     */
    public function script(array $responses): void
    {
        file_put_contents($this->dir . '/responses.json', json_encode($responses));
    }

    /**
     * @return array<int,array{method:string,uri:string,headers:array<string,string>,body:string,signature_ok:bool}>
     */
    public function requests(): array
    {
        $out = [];
        foreach (@file($this->dir . '/requests.jsonl', FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [] as $line) {
            $out[] = json_decode($line, true);
        }
        return $out;
    }

    public static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $name = (string) stream_socket_get_name($socket, false);
        fclose($socket);
        return (int) substr($name, strrpos($name, ':') + 1);
    }
}
