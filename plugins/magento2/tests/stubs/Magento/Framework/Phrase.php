<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework;

class Phrase
{
    /** @var string */
    private $text;

    /** @var array<int,mixed> */
    private $arguments;

    public function __construct($text, array $arguments = [])
    {
        $this->text = (string) $text;
        $this->arguments = $arguments;
    }
    public function render()
    {
        $out = $this->text;
        foreach (array_values($this->arguments) as $i => $argument) {
            $out = str_replace('%' . ($i + 1), (string) $argument, $out);
        }
        return $out;
    }
    public function __toString(): string
    {
        return $this->render();
    }
}
