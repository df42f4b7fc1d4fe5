<?php

/**
 * Doubles of the Magento framework types the module uses: each implements the real interface (or
 * extends the real class) with its exact signatures, in memory.
 */

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Support;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\App\ProductMetadataInterface;
use Magento\Framework\App\ResourceConnection;
use Magento\Framework\App\State;
use Magento\Framework\Encryption\EncryptorInterface;
use Magento\Framework\FlagManager;
use Magento\Framework\Lock\LockManagerInterface;
use Magento\Framework\MessageQueue\PublisherInterface;

final class ResourceConnectionDouble extends ResourceConnection
{
    public function __construct(public readonly SqliteAdapter $adapter)
    {
    }

    public function getConnection($resourceName = self::DEFAULT_CONNECTION)
    {
        return $this->adapter;
    }

    public function getTableName($modelEntity, $connectionName = self::DEFAULT_CONNECTION)
    {
        return (string) $modelEntity;
    }
}

final class FlagManagerDouble extends FlagManager
{
    /** @var array<string,mixed> */
    public array $flags = [];

    public function __construct()
    {
    }

    public function getFlagData($code)
    {
        return $this->flags[$code] ?? null;
    }

    public function saveFlag($code, $value)
    {
        $this->flags[$code] = $value;
        return true;
    }

    public function deleteFlag($code)
    {
        unset($this->flags[$code]);
        return true;
    }
}

/**
 * Values by path for the default scope and per website ("websites" scope, code = website id),
 * with Magento's fallback from website to default. Like Magento's config reader (its
 * MetadataProcessor), a path that a module's config.xml declares with a backend_model is read through
 * that model's processValue(): Encrypted values come back decrypted.
 */
final class ScopeConfigDouble implements ScopeConfigInterface
{
    /** @var array<string,array<string,mixed>> */
    public array $values = [];

    /** @var string[] Paths config.xml declares with the Encrypted backend model. */
    private array $encrypted = [];

    public function __construct(?string $configXml = null, private ?EncryptorInterface $encryptor = null)
    {
        if (null !== $configXml) {
            $xml = simplexml_load_file($configXml);
            foreach ($xml->xpath('//*[@backend_model="Magento\\Config\\Model\\Config\\Backend\\Encrypted"]') as $node) {
                $path = [];
                for ($n = dom_import_simplexml($node); 'default' !== $n->nodeName; $n = $n->parentNode) {
                    array_unshift($path, $n->nodeName);
                }
                $this->encrypted[] = implode('/', $path);
            }
        }
    }

    public function set(string $path, $value, ?int $websiteId = null, ?int $storeId = null): void
    {
        $scope = null !== $storeId ? 'stores:' . $storeId : (
            null !== $websiteId ? 'websites:' . $websiteId : 'default'
        );
        $this->values[$scope][$path] = $value;
    }

    public function getValue($path, $scopeType = ScopeConfigInterface::SCOPE_TYPE_DEFAULT, $scopeCode = null)
    {
        $scope = ScopeConfigInterface::SCOPE_TYPE_DEFAULT === $scopeType || null === $scopeCode
            ? 'default'
            : $scopeType . ':' . $scopeCode;
        $value = $this->values[$scope][$path] ?? $this->values['default'][$path] ?? null;
        if (null !== $value && null !== $this->encryptor && in_array($path, $this->encrypted, true)) {
            return $this->encryptor->decrypt((string) $value);
        }
        return $value;
    }

    /**
     * @return string[]
     */
    public function encryptedPaths(): array
    {
        return $this->encrypted;
    }

    public function isSetFlag($path, $scopeType = ScopeConfigInterface::SCOPE_TYPE_DEFAULT, $scopeCode = null)
    {
        return (bool) $this->getValue($path, $scopeType, $scopeCode);
    }
}

/**
 * Reversible "encryption" with Magento's key-version prefix, so a test can tell the stored value
 * is not the secret itself.
 */
final class EncryptorDouble implements EncryptorInterface
{
    public function encrypt($data)
    {
        return '1:3:' . base64_encode(strrev((string) $data));
    }

    public function decrypt($data)
    {
        return 0 === strncmp((string) $data, '1:3:', 4) ? strrev(
            (string) base64_decode(substr((string) $data, 4))
        ) : '';
    }
}

final class ProductMetadataDouble implements ProductMetadataInterface
{
    public function getVersion()
    {
        return '2.4.7-p7';
    }

    public function getEdition()
    {
        return 'Community';
    }

    public function getName()
    {
        return 'Magento';
    }
}

final class LockManagerDouble implements LockManagerInterface
{
    /** @var array<string,bool> */
    public array $held = [];

    public function lock(string $name, int $timeout = -1): bool
    {
        if (isset($this->held[$name])) {
            return false;
        }
        $this->held[$name] = true;
        return true;
    }

    public function unlock(string $name): bool
    {
        unset($this->held[$name]);
        return true;
    }

    public function isLocked(string $name): bool
    {
        return isset($this->held[$name]);
    }
}

final class PublisherDouble implements PublisherInterface
{
    /** @var array<int,array{0:string,1:mixed}> */
    public array $published = [];

    public function publish($topicName, $data)
    {
        $this->published[] = [$topicName, $data];
        return null;
    }
}

/**
 * The application state: emulateAreaCode() runs the callback in the area, as Magento does.
 */
final class StateDouble extends State
{
    /** @var string[] Areas emulated so far. */
    public array $emulated = [];
    public ?string $area = null;

    public function __construct()
    {
    }

    public function emulateAreaCode($areaCode, $callback, $params = [])
    {
        $this->emulated[] = (string) $areaCode;
        $previous = $this->area;
        $this->area = (string) $areaCode;
        try {
            return call_user_func_array($callback, $params);
        } finally {
            $this->area = $previous;
        }
    }
}
