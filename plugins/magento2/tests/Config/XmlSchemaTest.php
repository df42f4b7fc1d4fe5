<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Config;

use PHPUnit\Framework\TestCase;

/**
 * Every etc/*.xml of the module is valid under the Magento 2.4.7-p7 schema it names, and the check
 * really checks: a broken copy of each kind of file fails.
 */
final class XmlSchemaTest extends TestCase
{
    private const ETC = __DIR__ . '/../../etc';

    /**
     * The file Magento reads, and the schema Magento validates it with.
     */
    private const EXPECTED = [
        'module.xml' => 'urn:magento:framework:Module/etc/module.xsd',
        'di.xml' => 'urn:magento:framework:ObjectManager/etc/config.xsd',
        'events.xml' => 'urn:magento:framework:Event/etc/events.xsd',
        'crontab.xml' => 'urn:magento:module:Magento_Cron:etc/crontab.xsd',
        'cron_groups.xml' => 'urn:magento:module:Magento_Cron:etc/cron_groups.xsd',
        'acl.xml' => 'urn:magento:framework:Acl/etc/acl.xsd',
        'config.xml' => 'urn:magento:module:Magento_Store:etc/config.xsd',
        'db_schema.xml' => 'urn:magento:framework:Setup/Declaration/Schema/etc/schema.xsd',
        'communication.xml' => 'urn:magento:framework:Communication/etc/communication.xsd',
        'queue_publisher.xml' => 'urn:magento:framework-message-queue:etc/publisher.xsd',
        'queue_topology.xml' => 'urn:magento:framework-message-queue:etc/topology.xsd',
        'queue_consumer.xml' => 'urn:magento:framework-message-queue:etc/consumer.xsd',
        'adminhtml/system.xml' => 'urn:magento:module:Magento_Config:etc/system_file.xsd',
        'adminhtml/routes.xml' => 'urn:magento:framework:App/etc/routes.xsd',
        'frontend/routes.xml' => 'urn:magento:framework:App/etc/routes.xsd',
    ];

    /**
     * @return array<string,array{0:string}>
     */
    public function files(): array
    {
        $out = [];
        $files = new \RecursiveIteratorIterator(
            new \RecursiveDirectoryIterator(self::ETC, \FilesystemIterator::SKIP_DOTS)
        );
        foreach ($files as $file) {
            if ('xml' === $file->getExtension()) {
                $relative = substr($file->getPathname(), strlen(self::ETC) + 1);
                $out[$relative] = [$relative];
            }
        }
        ksort($out);
        return $out;
    }

    /**
     * @dataProvider files
     */
    public function testEachFileIsValidUnderTheSchemaMagentoUsesForIt(string $relative): void
    {
        $this->assertArrayHasKey(
            $relative,
            self::EXPECTED,
            "$relative is a configuration file this test does not know yet"
        );
        $urn = MagentoSchemas::schemaOf(self::ETC . '/' . $relative);
        $this->assertSame(self::EXPECTED[$relative], $urn);
        $this->assertSame([], MagentoSchemas::validate((string) file_get_contents(self::ETC . '/' . $relative), $urn));
    }

    public function testEveryExpectedFileExists(): void
    {
        foreach (array_keys(self::EXPECTED) as $relative) {
            $this->assertFileExists(self::ETC . '/' . $relative);
        }
    }

    /**
     * @return array<string,array{0:string,1:string,2:string,3:string}>
     */
    public function breakages(): array
    {
        return [
            'observer without a name' => [
                'events.xml',
                '<observer name="tiktokshop_record_product_change" ',
                '<observer ',
                'name',
            ],
            'plugin with an unknown attribute' => [
                'di.xml',
                '<plugin name="tiktokshop_legacy_stock" ',
                '<plugin name="tiktokshop_legacy_stock" sortorder="x" ',
                'sortorder',
            ],
            'argument of an unknown type' => ['di.xml', 'xsi:type="number">3<', 'xsi:type="integer">3<', 'integer'],
            'cron job without a method' => ['crontab.xml', ' method="execute"', '', 'method'],
            'column of an unknown type' => ['db_schema.xml', 'xsi:type="mediumtext"', 'xsi:type="clob"', 'clob'],
            'field without an id' => ['adminhtml/system.xml', '<field id="secret" ', '<field ', 'id'],
            'acl resource without an id' => [
                'acl.xml',
                'resource id="TikTokShopSync_Connector::config"',
                'resource',
                'id',
            ],
            'module without a name' => ['module.xml', '<module name="TikTokShopSync_Connector">', '<module>', 'name'],
            'consumer with a misspelt attribute' => ['queue_consumer.xml', ' handler=', ' handlr=', 'handlr'],
            'route without an id' => ['frontend/routes.xml', '<route id="tiktokshop" ', '<route ', 'id'],
        ];
    }

    /**
     * @dataProvider breakages
     */
    public function testABrokenFileFails(string $relative, string $search, string $replace, string $mentioned): void
    {
        $xml = (string) file_get_contents(self::ETC . '/' . $relative);
        $this->assertStringContainsString($search, $xml, 'the breakage applies to the current file');
        $broken = str_replace($search, $replace, $xml);
        $errors = MagentoSchemas::validate($broken, self::EXPECTED[$relative]);
        $this->assertNotEmpty($errors, "a $relative with this change must be invalid");
        $this->assertStringContainsString($mentioned, implode("\n", $errors));
    }

    public function testNotWellFormedXmlFails(): void
    {
        $this->assertNotEmpty(
            MagentoSchemas::validate('<config><event name="x"></config>', self::EXPECTED['events.xml'])
        );
    }
}
