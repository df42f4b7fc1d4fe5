<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Support;

/**
 * Builds the module's objects the way Magento's object manager would, from etc/di.xml: constructor
 * injection by type, the module's preferences and <type> arguments (objects, strings, numbers,
 * proxies), shared instances. Magento's own types come from the doubles registered with set().
 * If di.xml names a class or argument that does not exist, building fails here as it would in
 * Magento.
 */
final class ObjectManager
{
    /** @var array<string,object> */
    private array $instances = [];
    /** @var array<string,string> */
    private array $preferences = [];
    /** @var array<string,array<string,array{type:string,value:string}>> */
    private array $arguments = [];

    public function __construct(string $diXml)
    {
        $xml = simplexml_load_file($diXml);
        foreach ($xml->preference as $preference) {
            $this->preferences[(string) $preference['for']] = (string) $preference['type'];
        }
        foreach ($xml->type as $type) {
            foreach ($type->arguments->argument ?? [] as $argument) {
                $xsiType = (string) $argument->attributes('http://www.w3.org/2001/XMLSchema-instance')['type'];
                $this->arguments[(string) $type['name']][(string) $argument['name']] = [
                    'type' => $xsiType,
                    'value' => trim((string) $argument),
                ];
            }
        }
    }

    public function set(string $type, object $instance): void
    {
        $this->instances[$type] = $instance;
    }

    /**
     * @template T of object
     * @param class-string<T> $type
     * @return T
     */
    public function get(string $type): object
    {
        if (str_ends_with($type, '\\Proxy')) {
            // Magento generates the proxy class; it forwards to the shared instance of the type.
            $type = substr($type, 0, -6);
        }
        if (isset($this->instances[$type])) {
            return $this->instances[$type];
        }
        $class = $this->preferences[$type] ?? $type;
        if (isset($this->instances[$class])) {
            return $this->instances[$type] = $this->instances[$class];
        }
        if (!str_starts_with($class, 'TikTokShopSync\\')) {
            throw new \LogicException("No double is registered for the Magento type $type.");
        }
        return $this->instances[$type] = $this->instances[$class] = $this->create($class);
    }

    public function create(string $class): object
    {
        $reflection = new \ReflectionClass($class);
        if (!$reflection->isInstantiable()) {
            throw new \LogicException("$class is not instantiable and di.xml has no preference for it.");
        }
        $constructor = $reflection->getConstructor();
        $args = [];
        foreach ($constructor ? $constructor->getParameters() : [] as $parameter) {
            $configured = $this->arguments[$class][$parameter->getName()] ?? null;
            if (null !== $configured) {
                $args[] = match ($configured['type']) {
                    'object' => $this->get($configured['value']),
                    'string' => $configured['value'],
                    'number' => $configured['value'] + 0,
                    'boolean' => 'true' === $configured['value'],
                    default => throw new \LogicException("Unsupported argument type {$configured['type']} for $class"),
                };
                continue;
            }
            $type = $parameter->getType();
            if ($type instanceof \ReflectionNamedType && !$type->isBuiltin()) {
                if (
                    $parameter->isDefaultValueAvailable() && !isset(
                        $this->instances[$type->getName()]
                    ) && !str_starts_with(
                        $type->getName(),
                        'TikTokShopSync\\'
                    )
                ) {
                    $args[] = $parameter->getDefaultValue();
                    continue;
                }
                $args[] = $this->get($type->getName());
            } elseif ($parameter->isDefaultValueAvailable()) {
                $args[] = $parameter->getDefaultValue();
            } else {
                throw new \LogicException(
                    "$class needs \${$parameter->getName()}, which neither a type nor di.xml supplies."
                );
            }
        }
        return $reflection->newInstanceArgs($args);
    }
}
