<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Catalog;

use Magento\Catalog\Api\CategoryRepositoryInterface;

/**
 * Category names from the top of the store's tree down ("Clothing" > "Socks"), without Magento's
 * invisible root ("Root Catalog", level 0) and the store's root category (level 1).
 */
class CategoryPaths
{
    /** @var array<string,string|null> */
    private array $names = [];

    public function __construct(private readonly CategoryRepositoryInterface $categories)
    {
    }

    /**
     * @param array<int,int|string> $categoryIds
     * @return array<int,array{id:string,name:string,path:string[]}>
     */
    public function describe(array $categoryIds, int $storeId): array
    {
        $out = [];
        foreach (array_unique(array_map('intval', $categoryIds)) as $categoryId) {
            try {
                $category = $this->categories->get($categoryId, $storeId);
            } catch (\Throwable $e) {
                continue;
            }
            $path = [];
            $ids = array_map('intval', explode('/', (string) $category->getPath()));
            foreach (array_slice($ids, 2) as $id) {
                $name = $this->name($id, $storeId);
                if (null !== $name) {
                    $path[] = $name;
                }
            }
            if (!$path) {
                continue;
            }
            $out[] = ['id' => (string) $categoryId, 'name' => (string) $category->getName(), 'path' => $path];
        }
        return $out;
    }

    private function name(int $categoryId, int $storeId): ?string
    {
        $key = $storeId . ':' . $categoryId;
        if (!array_key_exists($key, $this->names)) {
            try {
                $this->names[$key] = (string) $this->categories->get($categoryId, $storeId)->getName();
            } catch (\Throwable $e) {
                $this->names[$key] = null;
            }
        }
        return $this->names[$key];
    }
}
