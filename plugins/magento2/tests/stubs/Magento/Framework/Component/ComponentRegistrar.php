<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\Component;

class ComponentRegistrar
{
    /** @var array<string,array<string,string>> */
    public static $paths = [];

    public const MODULE = 'module';
    public static function register($type, $componentName, $path)
    {
        self::$paths[$type][$componentName] = $path;
    }
}
