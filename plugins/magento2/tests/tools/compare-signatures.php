<?php

/**
 * Compares the declaration stubs in tests/stubs with a real Magento code base, by reflection:
 * kind (interface, abstract class, class), parents, constants, and for every method a stub file
 * declares itself: visibility, static, parameter names, types, by-reference, variadic, defaults and
 * the return type (Magento's method may be inherited from one of its own parents).
 *
 *   php tests/tools/compare-signatures.php /path/to/magento
 *
 * The Magento side is loaded through its app/autoload.php (vendor and generated/code), so classes
 * Magento generates (factories, extension interfaces) are compared once setup:di:compile has run.
 * Exits 1 when anything differs or is missing.
 */

declare(strict_types=1);

const STUBS = __DIR__ . '/../stubs';

function describe(string $class, bool $ownOnly): ?array
{
    try {
        $rc = new ReflectionClass($class);
    } catch (ReflectionException $e) {
        return null;
    }
    $type = static fn (?ReflectionType $t): string => null === $t ? '' : ltrim(
        str_replace('\\\\', '\\', (string) $t),
        '\\'
    );
    $methods = [];
    foreach ($rc->getMethods() as $method) {
        if (
            $method->getDeclaringClass()->isInternal() || (
                $ownOnly && $method->getDeclaringClass()->getName() !== $rc->getName()
            )
        ) {
            continue;
        }
        $params = [];
        foreach ($method->getParameters() as $p) {
            $default = '';
            if ($p->isDefaultValueAvailable()) {
                $default = $p->isDefaultValueConstant()
                    ? ltrim((string) $p->getDefaultValueConstantName(), '\\')
                    : var_export($p->getDefaultValue(), true);
                $default = ' = ' . preg_replace('/\s+/', '', $default);
            }
            $params[] = trim($type($p->getType()) . ' ' . (
                $p->isPassedByReference() ? '&' : ''
            ) . ($p->isVariadic() ? '...' : '')
                . '$' . $p->getName()) . $default;
        }
        $methods[$method->getName()] = (
            $method->isPublic() ? 'public ' : ($method->isProtected() ? 'protected ' : 'private ')
        )
            . ($method->isStatic() ? 'static ' : '') . $method->getName() . '(' . implode(', ', $params) . ')'
            . ($method->hasReturnType() ? ': ' . $type($method->getReturnType()) : '');
    }
    return [
        'kind' => $rc->isInterface() ? 'interface' : ($rc->isAbstract() ? 'abstract class' : 'class'),
        'parents' => array_merge(
            (static function (ReflectionClass $c): array {
                $out = [];
                while ($c = $c->getParentClass()) {
                    $out[] = $c->getName();
                }
                return $out;
            })($rc),
            $rc->getInterfaceNames()
        ),
        'constants' => $rc->getConstants(),
        'methods' => $methods,
    ];
}

if (($argv[1] ?? '') === '--dump') {
    // Child process: describe classes with one autoloader and print JSON.
    $autoload = $argv[2];
    if ('stubs' === $autoload) {
        spl_autoload_register(static function (string $class): void {
            $file = STUBS . '/' . str_replace('\\', '/', $class) . '.php';
            if (is_file($file)) {
                require $file;
            }
        });
    } else {
        require $autoload;
    }
    $out = [];
    foreach (array_slice($argv, 3) as $class) {
        $out[$class] = describe($class, 'stubs' === $autoload);
    }
    echo json_encode($out);
    exit(0);
}

$root = rtrim($argv[1] ?? '', '/');
$autoload = is_file($root . '/app/autoload.php') ? $root . '/app/autoload.php' : $root . '/vendor/autoload.php';
if ('' === $root || !is_file($autoload)) {
    fwrite(STDERR, "usage: php compare-signatures.php MAGENTO_ROOT\n");
    exit(2);
}
$classes = [];
$files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator(STUBS, FilesystemIterator::SKIP_DOTS));
foreach ($files as $file) {
    if ('php' === $file->getExtension()) {
        $classes[] = str_replace('/', '\\', substr($file->getPathname(), strlen(STUBS) + 1, -4));
    }
}
sort($classes);
$run = static function (string $autoload, array $classes): array {
    $cmd = escapeshellarg(PHP_BINARY) . ' -d error_reporting=0 ' . escapeshellarg(__FILE__)
        . ' --dump ' . escapeshellarg($autoload) . ' '
        . implode(' ', array_map('escapeshellarg', $classes));
    return json_decode((string) shell_exec($cmd), true) ?: [];
};
$xmlTypes = [];
foreach (file(__DIR__ . '/../fixtures/magento-xml-types.txt', FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
    if ('#' !== $line[0]) {
        [$class, $args] = array_pad(explode(' ', $line, 2), 2, '');
        $xmlTypes[$class] = array_filter(explode(',', $args));
    }
}
$stubs = $run('stubs', $classes);
$real = $run($autoload, $classes);
$realXml = $run($autoload, array_keys($xmlTypes));
$problems = [];
$methodCount = 0;
foreach ($classes as $class) {
    $s = $stubs[$class] ?? null;
    $r = $real[$class] ?? null;
    if (null === $r) {
        $problems[] = "$class: not in the Magento code base";
        continue;
    }
    if ($s['kind'] !== $r['kind']) {
        $problems[] = "$class: stub is {$s['kind']}, Magento has {$r['kind']}";
    }
    foreach ($s['parents'] as $parent) {
        if (!in_array($parent, $r['parents'], true)) {
            $problems[] = "$class: stub extends/implements $parent, Magento's does not";
        }
    }
    foreach ($s['constants'] as $name => $value) {
        if (!array_key_exists($name, $r['constants']) || $r['constants'][$name] !== $value) {
            $problems[] = "$class::$name: stub " . var_export($value, true) . ', Magento ' . var_export(
                $r['constants'][$name] ?? null,
                true
            );
        }
    }
    foreach ($s['methods'] as $name => $signature) {
        ++$methodCount;
        if (!isset($r['methods'][$name])) {
            $problems[] = "$class::$name: not in Magento";
        } elseif ($r['methods'][$name] !== $signature) {
            $problems[] = "$class::$name:\n    stub:    $signature\n    Magento: {$r['methods'][$name]}";
        }
    }
}
// Magento types named only in the module's XML: they exist, with the constructor arguments di.xml sets.
foreach ($xmlTypes as $class => $args) {
    $r = $realXml[$class] ?? null;
    if (null === $r) {
        $problems[] = "$class (named in XML): not in the Magento code base";
        continue;
    }
    if ('interface' === $r['kind']) {
        continue;
    }
    foreach ($args as $arg) {
        if (!str_contains($r['methods']['__construct'] ?? '', '$' . $arg)) {
            $problems[] = "$class (named in XML): no constructor argument \$$arg";
        }
    }
}
foreach ($problems as $problem) {
    echo $problem, "\n";
}
printf(
    "%d types, %d methods compared with %s; %d types named only in XML checked: %d differences\n",
    count($classes),
    $methodCount,
    $root,
    count($xmlTypes),
    count($problems)
);
exit($problems ? 1 : 0);
