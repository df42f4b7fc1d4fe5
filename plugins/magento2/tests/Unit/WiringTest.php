<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Unit;

use Magento\Backend\App\Action\Context as ActionContext;
use Magento\Backend\Block\Template\Context as BlockContext;
use Magento\Framework\App\Request\Http;
use Magento\Framework\Controller\Result\JsonFactory;
use Magento\Framework\View\Element\UiComponent\ContextInterface;
use Magento\Framework\View\Element\UiComponentFactory;
use PHPUnit\Framework\TestCase;
use Symfony\Component\Console\Tester\CommandTester;
use TikTokShopSync\Connector\Console\Command\CatalogSendCommand;
use TikTokShopSync\Connector\Console\Command\CommandsRunCommand;
use TikTokShopSync\Connector\Controller\Wake\Index as WakeController;
use TikTokShopSync\Connector\Model\State\ConnectionStatus;
use TikTokShopSync\ConnectorTests\Support\MagentoStore;
use TikTokShopSync\ExtensionClient\Signer;

/**
 * Every class of the module can be built by constructor injection from di.xml; the wake-up
 * endpoint, the commands of bin/magento and the cron warning behave as a merchant sees them.
 */
final class WiringTest extends TestCase
{
    private MagentoStore $store;

    protected function setUp(): void
    {
        $this->store = new MagentoStore();
        $this->store->connect(1, 'http://127.0.0.1:9', 'key-1', 'secret-1');
        $this->store->objects->set(ActionContext::class, $this->createMock(ActionContext::class));
        $this->store->objects->set(BlockContext::class, $this->createMock(BlockContext::class));
        $this->store->objects->set(ContextInterface::class, $this->createMock(ContextInterface::class));
        $this->store->objects->set(UiComponentFactory::class, $this->createMock(UiComponentFactory::class));
        $this->store->objects->set(JsonFactory::class, new JsonFactory());
    }

    public function testEveryClassBuildsFromDiXml(): void
    {
        $root = (string) realpath(__DIR__ . '/../..');
        $built = 0;
        $files = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($root, \FilesystemIterator::SKIP_DOTS));
        foreach ($files as $file) {
            $relative = substr($file->getPathname(), strlen($root) + 1);
            if (
                'php' !== $file->getExtension() || str_starts_with(
                    $relative,
                    'tests/'
                ) || 'registration.php' === $relative
            ) {
                continue;
            }
            $class = 'TikTokShopSync\\Connector\\' . str_replace('/', '\\', substr($relative, 0, -4));
            $reflection = new \ReflectionClass($class);
            if ($reflection->isInterface() || $reflection->isAbstract()) {
                continue;
            }
            if (
                in_array($class, [
                    \TikTokShopSync\Connector\Model\Outbox\WebsiteOutbox::class,
                    \TikTokShopSync\Connector\Model\Commands\MagentoLock::class,
                ], true)
            ) {
                continue; // built per website by their owners, with a website id / lock name
            }
            if (Http::class === ($reflection->getConstructor()?->getParameters()[0]?->getType()?->getName() ?? '')) {
                $this->store->objects->set(Http::class, $this->createMock(Http::class));
            }
            $this->assertInstanceOf($class, $this->store->objects->create($class));
            ++$built;
        }
        $this->assertGreaterThan(35, $built);
    }

    private function wake(array $headers, string $uri = '/tiktokshop/wake/index', string $body = ''): array
    {
        $request = $this->createMock(Http::class);
        $request->method('getHeader')->willReturnCallback(static fn ($name) => $headers[$name] ?? false);
        $request->method('getMethod')->willReturn('POST');
        $request->method('getRequestUri')->willReturn($uri);
        $request->method('getContent')->willReturn($body);
        $this->store->objects->set(Http::class, $request);
        $result = $this->store->objects->create(WakeController::class)->execute();
        return [$result->httpCode, json_decode($result->json, true)];
    }

    public function testASignedWakeUpQueuesAPollOfThatWebsite(): void
    {
        $this->store->connect(2, 'http://127.0.0.1:9', 'key-2', 'secret-2');
        $headers = (new Signer('key-2', 'secret-2'))->headers(time(), 'POST', '/tiktokshop/wake/index', '');
        [$status, $body] = $this->wake($headers);
        $this->assertSame(202, $status);
        $this->assertSame(['status' => 'queued'], $body);
        $this->assertSame([['tiktokshop.commands.poll', '2']], $this->store->publisher->published);
    }

    public function testAWakeUpThatFailsACheckIsRefusedAndQueuesNothing(): void
    {
        $good = (new Signer('key-1', 'secret-1'))->headers(time(), 'POST', '/tiktokshop/wake/index', '');
        $cases = [
            'bad_signature' => [
                (new Signer('key-1', 'wrong'))->headers(time(), 'POST', '/tiktokshop/wake/index', ''),
                '/tiktokshop/wake/index',
            ],
            'unknown_key' => [
                (new Signer('key-9', 'secret-1'))->headers(time(), 'POST', '/tiktokshop/wake/index', ''),
                '/tiktokshop/wake/index',
            ],
            'stale_timestamp' => [
                (new Signer('key-1', 'secret-1'))->headers(time() - 900, 'POST', '/tiktokshop/wake/index', ''),
                '/tiktokshop/wake/index',
            ],
            'missing_credentials' => [[], '/tiktokshop/wake/index'],
        ];
        $cases['bad_signature '] = [$good, '/tiktokshop/wake/index?website=3'];
        foreach ($cases as $code => [$headers, $uri]) {
            [$status, $body] = $this->wake($headers, $uri);
            $this->assertSame(401, $status);
            $this->assertSame(trim($code), $body['error']['code']);
        }
        $this->assertSame([], $this->store->publisher->published);
    }

    public function testTheCommandsSayWhenNoWebsiteIsConnected(): void
    {
        $this->store->config->set('tiktokshop/connection/enabled', '0', 1);
        foreach ([CommandsRunCommand::class, CatalogSendCommand::class] as $class) {
            $tester = new CommandTester($this->store->objects->create($class));
            $this->assertSame(1, $tester->execute([]));
            $this->assertStringContainsString('No website has TikTok Shop sync enabled', $tester->getDisplay());
        }
    }

    public function testAnUnreachableHubIsAFailedRunThatNamesTheError(): void
    {
        $tester = new CommandTester($this->store->objects->create(CommandsRunCommand::class));
        $this->assertSame(1, $tester->execute(['--website' => '1']));
        $this->assertStringContainsString('Website 1: 0 received', $tester->getDisplay());
        $this->assertStringContainsString('could not be reached', $tester->getDisplay());
        $status = $this->store->get(ConnectionStatus::class)->contact(1);
        $this->assertStringContainsString('could not be reached', $status['last_error']);
    }

    public function testCronWarnsAfterFiveMinutesWithoutARun(): void
    {
        $now = 1800000000;
        $status = new ConnectionStatus($this->store->flags, static function () use (&$now): int {
            return $now;
        });
        $this->assertStringContainsString('has not run the TikTok Shop jobs yet', (string) $status->cronWarning());
        $status->recordCronRun();
        $now += 299;
        $this->assertNull($status->cronWarning());
        $now += 120;
        $this->assertStringContainsString(
            'last ran the TikTok Shop jobs 6 minutes ago',
            (string) $status->cronWarning()
        );
    }

    public function testTheSecretIsStoredEncryptedAndReadPerWebsite(): void
    {
        $this->store->connect(2, 'http://hub.example/', 'key-2', 'secret-2');
        $stored = $this->store->config->values['websites:2']['tiktokshop/connection/secret'];
        $this->assertStringNotContainsString('secret-2', (string) $stored, 'stored encrypted');
        $this->assertSame(['tiktokshop/connection/secret'], $this->store->config->encryptedPaths());
        $config = $this->store->get(\TikTokShopSync\Connector\Model\Config::class);
        $this->assertSame('secret-2', $config->secret(2), 'Magento hands it out decrypted; not decrypted twice');
        // A value that reaches the module still encrypted (no backend model applied) is decrypted.
        $raw = new \TikTokShopSync\ConnectorTests\Support\ScopeConfigDouble();
        $raw->values = $this->store->config->values;
        $plain = new \TikTokShopSync\Connector\Model\Config(
            $raw,
            new \TikTokShopSync\ConnectorTests\Support\EncryptorDouble(),
            $this->store->stores
        );
        $this->assertSame('secret-2', $plain->secret(2));
        $this->assertSame('http://hub.example', $config->hubUrl(2));
        $this->assertSame([1, 2], $config->enabledWebsiteIds());
        $this->assertSame(2, $config->websiteIdForKey('key-2'));
        $this->assertNull($config->websiteIdForKey('key-3'));
    }
}
