<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Ui\Component\Listing\Columns;

class Column extends \Magento\Framework\DataObject
{
    public function __construct(\Magento\Framework\View\Element\UiComponent\ContextInterface $context, \Magento\Framework\View\Element\UiComponentFactory $uiComponentFactory, array $components = [], array $data = [])
    {
        parent::__construct($data);
    }
    public function prepareDataSource(array $dataSource)
    {
        return $dataSource;
    }
}
