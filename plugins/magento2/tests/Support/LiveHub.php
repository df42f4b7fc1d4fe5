<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Support;

/**
 * The project's hub, run for real on loopback for the contract tests: `hub serve` with a private
 * HUB_DATA_DIR (SQLite and the embedded Redis-compatible server), a Magento 2 store connection from
 * `hub store add --platform magento2`, commands queued with `hub commands create`. Every request the
 * module makes is checked by the hub's own signature code.
 *
 * TTS_HUB_BIN names the hub executable (default: the project's .venv/bin/hub).
 */
final class LiveHub
{
    private static ?LiveHub $instance = null;
    public string $url;
    public string $keyId;
    public string $secret;
    public string $storeId;
    private string $dataDir;
    private string $bin;
    private int $port;
    /** @var resource|null */
    private $process = null;

    public static function get(): self
    {
        return self::$instance ??= new self();
    }

    public static function stopAll(): void
    {
        if (null !== self::$instance) {
            self::$instance->stop();
            exec('rm -rf ' . escapeshellarg(self::$instance->dataDir));
            self::$instance = null;
        }
    }

    private function __construct()
    {
        $this->bin = getenv('TTS_HUB_BIN') ?: dirname(__DIR__, 4) . '/.venv/bin/hub';
        if (!is_executable($this->bin)) {
            throw new \RuntimeException(
                "The hub executable {$this->bin} is missing: run scripts/setup (see the repository README) or set"
                    . " TTS_HUB_BIN."
            );
        }
        $this->dataDir = sys_get_temp_dir() . '/tts-m2-hub-' . getmypid() . '-' . bin2hex(random_bytes(3));
        mkdir($this->dataDir, 0777, true);
        $store = json_decode(
            $this->cli(['store', 'add', '--platform', 'magento2', '--name', 'Magento contract test shop']),
            true
        );
        $this->keyId = $store['key_id'];
        $this->secret = $store['secret'];
        $this->storeId = $store['store_id'];
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $name = (string) stream_socket_get_name($socket, false);
        fclose($socket);
        $this->port = (int) substr($name, strrpos($name, ':') + 1);
        $this->url = 'http://127.0.0.1:' . $this->port;
        register_shutdown_function([self::class, 'stopAll']);
        $this->start();
    }

    public function start(): void
    {
        if ($this->process) {
            return;
        }
        $log = $this->dataDir . '/serve.log';
        $cmd = 'exec setsid ' . escapeshellarg($this->bin) . ' serve --host 127.0.0.1 --port'
            . ' ' . $this->port . ' >>' . escapeshellarg($log) . ' 2>&1';
        $this->process = proc_open($cmd, [], $pipes, null, $this->env());
        $deadline = microtime(true) + 60;
        while (microtime(true) < $deadline) {
            $socket = @fsockopen('127.0.0.1', $this->port, $errno, $errstr, 0.5);
            if ($socket) {
                fclose($socket);
                return;
            }
            if (!proc_get_status($this->process)['running']) {
                throw new \RuntimeException('hub serve exited: ' . file_get_contents($log));
            }
            usleep(100000);
        }
        throw new \RuntimeException('hub serve did not listen within 60 s: ' . file_get_contents($log));
    }

    public function stop(): void
    {
        if (!$this->process) {
            return;
        }
        $status = proc_get_status($this->process);
        if ($status['running']) {
            posix_kill(-$status['pid'], SIGTERM);
            $deadline = microtime(true) + 15;
            while (microtime(true) < $deadline && proc_get_status($this->process)['running']) {
                usleep(50000);
            }
            if (proc_get_status($this->process)['running']) {
                posix_kill(-$status['pid'], SIGKILL);
            }
        }
        proc_close($this->process);
        $this->process = null;
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            $socket = @fsockopen('127.0.0.1', $this->port, $errno, $errstr, 0.2);
            if (!$socket) {
                return;
            }
            fclose($socket);
            usleep(50000);
        }
    }

    /**
     * @param array<string,mixed> $payload
     * @return array{command_id:string,created:bool,dedupe_key:string}
     */
    public function createCommand(string $type, array $payload, ?string $dedupeKey = null): array
    {
        $args = ['commands', 'create', '--store', $this->storeId, '--type', $type, '--payload', json_encode($payload)];
        if (null !== $dedupeKey) {
            $args[] = '--dedupe-key';
            $args[] = $dedupeKey;
        }
        return json_decode($this->cli($args), true);
    }

    /**
     * The hub's products of the store, by id (`hub products --json`).
     *
     * @return array<string,array<string,mixed>>
     */
    public function products(): array
    {
        $out = [];
        $answer = json_decode($this->cli(['products', '--store', $this->storeId, '--json']), true);
        foreach ((array) ($answer['products'] ?? $answer) as $row) {
            $id = (string) ($row['product_id'] ?? $row['id'] ?? '');
            $out[$id] = $row;
        }
        return $out;
    }

    /**
     * @param string[] $args
     */
    public function cli(array $args): string
    {
        $cmd = escapeshellarg($this->bin) . ' ' . implode(' ', array_map('escapeshellarg', $args));
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $this->env());
        $out = (string) stream_get_contents($pipes[1]);
        $err = (string) stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        if (0 !== proc_close($proc)) {
            throw new \RuntimeException('hub ' . implode(' ', $args) . " failed: $err");
        }
        return $out;
    }

    /**
     * @return array<string,string>
     */
    private function env(): array
    {
        return ['HUB_DATA_DIR' => $this->dataDir] + getenv();
    }
}
