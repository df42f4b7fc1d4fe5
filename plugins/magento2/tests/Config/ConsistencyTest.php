<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Config;

use Magento\Backend\App\Action;
use Magento\Config\Block\System\Config\Form\Field;
use Magento\Framework\App\Action\HttpPostActionInterface;
use Magento\Framework\App\CsrfAwareActionInterface;
use Magento\Framework\Data\OptionSourceInterface;
use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Magento\Ui\Component\Listing\Columns\Column;
use PHPUnit\Framework\TestCase;
use Symfony\Component\Console\Command\Command;
use TikTokShopSync\Connector\Controller\Wake\Index as WakeController;
use TikTokShopSync\Connector\Model\Config;
use TikTokShopSync\Connector\Model\Order\OrderMap;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;

/**
 * Everything the XML names exists and has the shape Magento will call: observers, plugins,
 * preferences and arguments, cron jobs, settings fields and their models, ACL resources, config
 * paths, tables, queue topics and handlers, routes and controllers, grid columns, commands.
 */
final class ConsistencyTest extends TestCase
{
    private const MODULE = __DIR__ . '/../..';
    private const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

    /**
     * Events Magento 2.4.7 dispatches, with where (so an event name cannot be misspelt).
     */
    private const MAGENTO_EVENTS = [
        'catalog_product_save_after' => 'Framework\Model\AbstractModel::afterSave (prefix catalog_product)',
        'catalog_product_save_commit_after' => 'Framework\Model\AbstractModel::afterCommitCallback',
        'catalog_product_delete_after' => 'Framework\Model\AbstractModel::afterDelete',
        'catalog_product_delete_commit_after' => 'Framework\Model\AbstractModel::afterDeleteCommit',
        'catalog_product_attribute_update_before' => 'Catalog\Model\Product\Action::updateAttributes',
        'sales_order_shipment_track_save_after' => 'AbstractModel::afterSave (prefix sales_order_shipment_track,'
            . ' object "track")',
        'order_cancel_after' => 'Sales\Model\Order::cancel',
        'sales_order_creditmemo_refund' => 'Sales\Model\Order\Creditmemo\RefundOperation::execute (before the'
            . ' credit memo is saved)',
        'sales_order_creditmemo_save_after' => 'AbstractModel::afterSave (prefix sales_order_creditmemo, object'
            . ' "creditmemo")',
        'admin_system_config_changed_section_tiktokshop' => 'Config\Model\Config::save'
            . ' (admin_system_config_changed_section_<section>)',
    ];

    private static function xml(string $relative): \SimpleXMLElement
    {
        return simplexml_load_file(self::MODULE . '/' . $relative);
    }

    /**
     * @return array<string,string[]> Magento types named only in XML => constructor arguments set.
     */
    private static function magentoXmlTypes(): array
    {
        $out = [];
        foreach (
            file(__DIR__ . '/../fixtures/magento-xml-types.txt', FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line
        ) {
            if ('#' !== $line[0]) {
                [$class, $args] = array_pad(explode(' ', $line, 2), 2, '');
                $out[$class] = array_filter(explode(',', $args));
            }
        }
        return $out;
    }

    private function assertTypeExists(string $type, array $virtualTypes = []): void
    {
        if (in_array($type, $virtualTypes, true) || array_key_exists($type, self::magentoXmlTypes())) {
            $this->addToAssertionCount(1);
            return;
        }
        if (str_ends_with($type, '\\Proxy')) {
            $type = substr($type, 0, -6);
        }
        $this->assertTrue(class_exists($type) || interface_exists($type), "$type named in XML does not exist");
    }

    public function testTheModuleIsRegisteredUnderOneName(): void
    {
        $this->assertSame('TikTokShopSync_Connector', (string) self::xml('etc/module.xml')->module['name']);
        \Magento\Framework\Component\ComponentRegistrar::$paths = [];
        require self::MODULE . '/registration.php';
        $this->assertSame(
            realpath(self::MODULE),
            realpath(\Magento\Framework\Component\ComponentRegistrar::$paths['module']['TikTokShopSync_Connector'])
        );
        $composer = json_decode((string) file_get_contents(self::MODULE . '/composer.json'), true);
        $this->assertSame('magento2-module', $composer['type']);
        $this->assertSame(['TikTokShopSync\\Connector\\' => ''], $composer['autoload']['psr-4']);
        $this->assertSame(['registration.php'], $composer['autoload']['files']);
        $library = json_decode(
            (string) file_get_contents(self::MODULE . '/../extension-client-php/composer.json'),
            true
        );
        $this->assertArrayHasKey($library['name'], $composer['require']);
    }

    public function testObserversAreGlobalAndImplementTheObserverInterface(): void
    {
        $this->assertFileDoesNotExist(
            self::MODULE . '/etc/adminhtml/events.xml',
            'product observers belong in the global area'
        );
        $names = [];
        foreach (self::xml('etc/events.xml')->event as $event) {
            $this->assertArrayHasKey((string) $event['name'], self::MAGENTO_EVENTS);
            foreach ($event->observer as $observer) {
                $class = (string) $observer['instance'];
                $names[] = (string) $observer['name'];
                $this->assertTrue(is_subclass_of($class, ObserverInterface::class), "$class is no observer");
                $execute = new \ReflectionMethod($class, 'execute');
                $this->assertSame(Observer::class, (string) $execute->getParameters()[0]->getType());
            }
        }
        $this->assertSame(count($names), count(array_unique($names)), 'observer names are unique');
    }

    public function testPluginsMatchThePublicMethodsOfTheirSubjects(): void
    {
        $plugins = 0;
        foreach (self::xml('etc/di.xml')->type as $type) {
            foreach ($type->plugin as $plugin) {
                $subject = (string) $type['name'];
                $class = (string) $plugin['type'];
                $this->assertTrue(interface_exists($subject) || class_exists($subject), "$subject does not exist");
                $methods = array_filter(
                    (new \ReflectionClass($class))->getMethods(\ReflectionMethod::IS_PUBLIC),
                    static fn (\ReflectionMethod $m) => (bool) preg_match(
                        '/^(before|after|around)[A-Z]/',
                        $m->getName()
                    )
                );
                $this->assertNotEmpty($methods, "$class intercepts nothing");
                foreach ($methods as $method) {
                    preg_match('/^(before|after|around)(.+)$/', $method->getName(), $m);
                    $target = lcfirst($m[2]);
                    $this->assertTrue(
                        method_exists($subject, $target),
                        "$class::{$method->getName()} names $subject::$target, which does not exist"
                    );
                    $original = (new \ReflectionMethod($subject, $target))->getParameters();
                    $params = $method->getParameters();
                    $this->assertTrue(
                        is_a($subject, (string) $params[0]->getType(), true),
                        'the first parameter is the subject'
                    );
                    $rest = array_slice($params, 'after' === $m[1] ? 2 : ('around' === $m[1] ? 2 : 1));
                    foreach ($rest as $i => $param) {
                        $this->assertArrayHasKey(
                            $i,
                            $original,
                            "$class::{$method->getName()} takes more arguments than $target"
                        );
                        $this->assertSame(
                            (string) $original[$i]->getType(),
                            (string) $param->getType(),
                            "argument $i of $class::{$method->getName()}"
                        );
                    }
                    ++$plugins;
                }
            }
        }
        $this->assertSame(3, $plugins);
    }

    public function testPreferencesAndArgumentsNameRealTypesAndParameters(): void
    {
        $di = self::xml('etc/di.xml');
        $virtual = [];
        foreach ($di->virtualType as $virtualType) {
            $virtual[(string) $virtualType['name']] = (string) $virtualType['type'];
            $this->assertArrayHasKey((string) $virtualType['type'], self::magentoXmlTypes());
        }
        foreach ($di->preference as $preference) {
            $for = (string) $preference['for'];
            $type = (string) $preference['type'];
            $this->assertTrue(interface_exists($for), "$for does not exist");
            $this->assertTrue(is_subclass_of($type, $for), "$type does not implement $for");
        }
        $magento = self::magentoXmlTypes();
        foreach (
            array_merge(iterator_to_array($di->type, false), iterator_to_array($di->virtualType, false)) as $type
        ) {
            $name = (string) $type['name'];
            $class = $virtual[$name] ?? $name;
            foreach ($type->arguments->argument ?? [] as $argument) {
                $argName = (string) $argument['name'];
                if (isset($magento[$class])) {
                    $this->assertContains($argName, $magento[$class], "$class has no constructor argument \$$argName");
                } else {
                    $this->assertTrue(class_exists($class), "$class does not exist");
                    $params = array_map(
                        static fn ($p) => $p->getName(),
                        (new \ReflectionMethod($class, '__construct'))->getParameters()
                    );
                    $this->assertContains($argName, $params, "$class has no constructor argument \$$argName");
                }
                $xsiType = (string) $argument->attributes(self::XSI)['type'];
                $values = 'array' === $xsiType ? iterator_to_array($argument->item, false) : [$argument];
                foreach ($values as $value) {
                    $valueType = (string) $value->attributes(self::XSI)['type'];
                    if ('object' === $valueType) {
                        $this->assertTypeExists(trim((string) $value), array_keys($virtual));
                    } elseif ('const' === $valueType) {
                        $this->assertTrue(defined(trim((string) $value)), trim((string) $value) . ' is not a constant');
                    } elseif ('string' === $valueType && 'handlers' === $argName) {
                        $this->assertArrayHasKey(trim((string) $value), $virtual);
                    }
                }
            }
        }
    }

    public function testConsoleCommandsAreSymfonyCommandsWithTheirNames(): void
    {
        $names = [];
        foreach (
            self::xml('etc/di.xml')->xpath(
                '//type[@name="Magento\\Framework\\Console\\CommandListInterface"]//item'
            ) as $item
        ) {
            $class = trim((string) $item);
            $this->assertTrue(is_subclass_of($class, Command::class));
            $names[] = $class::NAME;
        }
        $this->assertSame(['tiktokshop:commands:run', 'tiktokshop:catalog:send'], $names);
    }

    public function testCronJobsRunInTheModulesGroupEveryMinute(): void
    {
        $groups = [];
        foreach (self::xml('etc/cron_groups.xml')->group as $group) {
            $groups[] = (string) $group['id'];
        }
        $jobs = 0;
        foreach (self::xml('etc/crontab.xml')->group as $group) {
            $this->assertContains((string) $group['id'], $groups);
            foreach ($group->job as $job) {
                $method = new \ReflectionMethod((string) $job['instance'], (string) $job['method']);
                $this->assertTrue($method->isPublic());
                $this->assertSame(0, $method->getNumberOfRequiredParameters());
                $this->assertSame('* * * * *', trim((string) $job->schedule));
                ++$jobs;
            }
        }
        $this->assertSame(2, $jobs);
    }

    /**
     * @return array<string,\SimpleXMLElement> "section/group/field" => field
     */
    private static function settingsFields(): array
    {
        $out = [];
        foreach (self::xml('etc/adminhtml/system.xml')->system->section as $section) {
            foreach ($section->group as $group) {
                foreach ($group->field as $field) {
                    $out[$section['id'] . '/' . $group['id'] . '/' . $field['id']] = $field;
                }
            }
        }
        return $out;
    }

    public function testSettingsFieldsModelsAndPathsAgree(): void
    {
        $fields = self::settingsFields();
        $allowedTypes = ['text', 'select', 'obscure', 'button', 'label', 'textarea', 'multiselect'];
        foreach ($fields as $path => $field) {
            $this->assertContains((string) $field['type'], $allowedTypes, $path);
            $this->assertSame('1', (string) $field['showInWebsite'], "$path is set per website");
            if (isset($field->source_model)) {
                $class = (string) $field->source_model;
                $this->assertTrue(
                    isset(self::magentoXmlTypes()[$class]) || is_subclass_of($class, OptionSourceInterface::class),
                    $class
                );
            }
            if (isset($field->backend_model)) {
                $this->assertArrayHasKey((string) $field->backend_model, self::magentoXmlTypes());
            }
            if (isset($field->frontend_model)) {
                $this->assertTrue(
                    is_subclass_of((string) $field->frontend_model, Field::class),
                    (string) $field->frontend_model
                );
            }
        }
        // Every path the code reads under tiktokshop/ is a field, and every data field is read.
        $constants = array_filter(
            (new \ReflectionClass(Config::class))->getConstants(),
            static fn ($v, $k) => str_starts_with($k, 'PATH_') && str_starts_with($v, 'tiktokshop/'),
            ARRAY_FILTER_USE_BOTH
        );
        foreach ($constants as $path) {
            $this->assertArrayHasKey($path, $fields);
        }
        foreach ($fields as $path => $field) {
            if (!in_array((string) $field['type'], ['button', 'label'], true)) {
                $this->assertContains($path, $constants, "$path is shown but never read");
            }
        }
        // The secret: encrypted in system.xml and config.xml, sensitive in di.xml.
        $secret = $fields[Config::PATH_SECRET];
        $this->assertSame('obscure', (string) $secret['type']);
        $this->assertSame('Magento\Config\Model\Config\Backend\Encrypted', (string) $secret->backend_model);
        $this->assertSame(
            'Magento\Config\Model\Config\Backend\Encrypted',
            (string) self::xml('etc/config.xml')->default->tiktokshop->connection->secret['backend_model']
        );
        $sensitive = self::xml('etc/di.xml')->xpath('//argument[@name="sensitive"]/item');
        $this->assertSame([Config::PATH_SECRET], array_map(static fn ($i) => (string) $i['name'], $sensitive));
        // Defaults exist for fields only.
        foreach (self::xml('etc/config.xml')->default->tiktokshop->children() as $group) {
            foreach ($group->children() as $field) {
                $this->assertArrayHasKey('tiktokshop/' . $group->getName() . '/' . $field->getName(), $fields);
            }
        }
    }

    public function testAclResourcesExistForTheSectionAndControllers(): void
    {
        $ids = array_map('strval', self::xml('etc/acl.xml')->xpath('//resource/@id'));
        $this->assertContains((string) self::xml('etc/adminhtml/system.xml')->system->section->resource, $ids);
        $this->assertContains(\TikTokShopSync\Connector\Controller\Adminhtml\Connection\Test::ADMIN_RESOURCE, $ids);
        $this->assertSame(
            [
                'Magento_Backend::admin',
                'Magento_Backend::stores',
                'Magento_Backend::stores_settings',
                'Magento_Config::config',
                'TikTokShopSync_Connector::config',
            ],
            $ids
        );
    }

    public function testRoutesLeadToControllersOfTheRightKind(): void
    {
        $front = self::xml('etc/frontend/routes.xml')->router->route;
        $this->assertSame('standard', (string) self::xml('etc/frontend/routes.xml')->router['id']);
        $this->assertSame('tiktokshop', (string) $front['frontName']);
        $this->assertSame('TikTokShopSync_Connector', (string) $front->module['name']);
        $this->assertTrue(is_subclass_of(WakeController::class, HttpPostActionInterface::class));
        $this->assertTrue(
            is_subclass_of(WakeController::class, CsrfAwareActionInterface::class),
            'a signed server call carries no form key'
        );
        $admin = self::xml('etc/adminhtml/routes.xml')->router;
        $this->assertSame('admin', (string) $admin['id']);
        $this->assertSame('tiktokshop', (string) $admin->route['frontName']);
        $test = \TikTokShopSync\Connector\Controller\Adminhtml\Connection\Test::class;
        $this->assertTrue(
            is_subclass_of($test, Action::class) && is_subclass_of($test, HttpPostActionInterface::class)
        );
        $this->assertStringContainsString(
            "'tiktokshop/connection/test'",
            (string) file_get_contents(self::MODULE . '/Block/Adminhtml/System/Config/TestConnection.php')
        );
    }

    public function testTheQueueTopicPublisherTopologyAndConsumerAgree(): void
    {
        $topic = self::xml('etc/communication.xml')->topic;
        $this->assertSame(WakeController::TOPIC, (string) $topic['name']);
        $this->assertSame(WakeController::TOPIC, (string) self::xml('etc/queue_publisher.xml')->publisher['topic']);
        $binding = self::xml('etc/queue_topology.xml')->exchange->binding;
        $this->assertSame(WakeController::TOPIC, (string) $binding['topic']);
        $consumer = self::xml('etc/queue_consumer.xml')->consumer;
        $this->assertSame((string) $binding['destination'], (string) $consumer['queue']);
        $this->assertSame('db', (string) $consumer['connection']);
        [$class, $method] = explode('::', (string) $consumer['handler']);
        $handler = new \ReflectionMethod($class, $method);
        $this->assertTrue($handler->isPublic());
        $this->assertSame((string) $topic['request'], (string) $handler->getParameters()[0]->getType());
    }

    public function testTheDeclaredSchemaAndItsWhitelistAgreeWithTheCode(): void
    {
        $whitelist = json_decode((string) file_get_contents(self::MODULE . '/etc/db_schema_whitelist.json'), true);
        $tables = [];
        foreach (self::xml('etc/db_schema.xml')->table as $table) {
            $name = (string) $table['name'];
            $tables[] = $name;
            $columns = array_map(static fn ($c) => (string) $c['name'], iterator_to_array($table->column, false));
            $indexes = array_map(static fn ($c) => (string) $c['referenceId'], iterator_to_array($table->index, false));
            $constraints = array_map(
                static fn ($c) => (string) $c['referenceId'],
                iterator_to_array($table->constraint, false)
            );
            $this->assertSame(array_fill_keys($columns, true), $whitelist[$name]['column']);
            $this->assertSame(array_fill_keys($indexes, true), $whitelist[$name]['index']);
            $this->assertSame(array_fill_keys($constraints, true), $whitelist[$name]['constraint']);
        }
        $this->assertSame(array_keys($whitelist), $tables);
        $this->assertContains(OutboxTable::TABLE, $tables);
        $this->assertContains(OrderMap::TABLE, $tables);
        $unique = self::xml('etc/db_schema.xml')->xpath(
            '//table[@name="tiktokshop_order_map"]/constraint[@xsi:type="unique"]/column/@name'
        );
        $this->assertSame(['tiktok_order_id'], array_map('strval', $unique), 'one Magento order per TikTok order');
        $this->assertContains(\TikTokShopSync\Connector\Model\Order\RefundMap::TABLE, $tables);
        $unique = self::xml('etc/db_schema.xml')->xpath(
            '//table[@name="tiktokshop_refund_map"]/constraint[@xsi:type="unique"]/column/@name'
        );
        $this->assertSame(['tiktok_return_id'], array_map('strval', $unique), 'one credit memo per TikTok return');
    }

    public function testTheProductGridColumnIsAUiColumn(): void
    {
        $listing = simplexml_load_file(self::MODULE . '/view/adminhtml/ui_component/product_listing.xml');
        $this->assertSame('product_columns', (string) $listing->columns['name']);
        $this->assertTrue(is_subclass_of((string) $listing->columns->column['class'], Column::class));
        $this->assertSame(
            'ui/grid/cells/html',
            (string) $listing->columns->column->settings->bodyTmpl,
            'the reason shows on hover'
        );
    }

    public function testNoCodeUsesTheObjectManagerDirectly(): void
    {
        $root = (string) realpath(self::MODULE);
        $files = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($root, \FilesystemIterator::SKIP_DOTS));
        $checked = 0;
        foreach ($files as $file) {
            $path = substr($file->getPathname(), strlen($root));
            if ('php' !== $file->getExtension() || str_starts_with($path, '/tests/')) {
                continue;
            }
            $this->assertStringNotContainsString(
                'ObjectManager',
                (string) file_get_contents($file->getPathname()),
                $path
            );
            ++$checked;
        }
        $this->assertGreaterThan(40, $checked);
    }
}
