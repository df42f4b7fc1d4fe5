"""The GraphQL documents the app sends to the Admin API (version `config.API_VERSION`).

Every one is validated against Shopify's published Admin schema of that version by the tests' fake
Admin API, which also refuses deprecated fields, so a document here that Shopify would not accept
fails a test. Requested costs stay under Shopify's 1,000-point ceiling for one query: variants are
read 30 at a time (more pages when a product has more) and stock at up to 5 locations per item per
page (the app pages the rest).
"""

from __future__ import annotations

VARIANT_FIELDS = """
  id sku barcode price compareAtPrice inventoryPolicy updatedAt
  selectedOptions { name value }
  media(first: 1) { nodes { ... on MediaImage { image { url } } } }
  inventoryItem {
    id tracked
    measurement { weight { unit value } }
    inventoryLevels(first: 5) {
      nodes { updatedAt location { id name } quantities(names: ["available"]) { name quantity } }
      pageInfo { hasNextPage endCursor }
    }
  }
"""

PRODUCT = """
query Product($id: ID!) {
  product(id: $id) {
    id title handle descriptionHtml vendor productType status tags updatedAt onlineStoreUrl
    category { id name fullName }
    media(first: 20) { nodes { ... on MediaImage { id image { url altText } } } }
    variants(first: 30) {
      nodes { %s }
      pageInfo { hasNextPage endCursor }
    }
  }
}
""" % VARIANT_FIELDS

PRODUCT_VARIANTS = """
query ProductVariants($id: ID!, $after: String) {
  product(id: $id) {
    variants(first: 30, after: $after) {
      nodes { %s }
      pageInfo { hasNextPage endCursor }
    }
  }
}
""" % VARIANT_FIELDS

ITEM_LEVELS = """
query ItemLevels($id: ID!, $after: String) {
  inventoryItem(id: $id) {
    inventoryLevels(first: 50, after: $after) {
      nodes { updatedAt location { id name } quantities(names: ["available"]) { name quantity } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

# inventory_levels/update: which variants the item stocks, and its stock at every location.
INVENTORY_ITEM = """
query InventoryItem($id: ID!) {
  inventoryItem(id: $id) {
    id tracked updatedAt
    variants(first: 10) { nodes { id product { id } } }
    inventoryLevels(first: 50) {
      nodes { updatedAt location { id name } quantities(names: ["available"]) { name quantity } }
    }
  }
}
"""

SHOP_NAME = """
query ShopName {
  shop { name }
}
"""

SHOP = """
query Shop {
  shop { id name myshopifyDomain currencyCode weightUnit unitSystem taxesIncluded primaryDomain { url } }
  locations(first: 50) { nodes { id name isActive fulfillsOnlineOrders } }
}
"""

# The whole catalogue (or what changed since a time) as one JSONL file: no pagination, no cost per
# product. Shopify's limits: at most 5 connections, nested at most 2 deep.
BULK_PRODUCTS = """
{
  products%(filter)s {
    edges {
      node {
        id title handle descriptionHtml vendor productType status tags updatedAt onlineStoreUrl
        category { id name fullName }
        media { edges { node { ... on MediaImage { id image { url altText } } } } }
        variants {
          edges {
            node {
              id sku barcode price compareAtPrice inventoryPolicy updatedAt
              selectedOptions { name value }
              inventoryItem {
                id tracked
                measurement { weight { unit value } }
                inventoryLevels {
                  edges { node { id updatedAt location { id name } quantities(names: ["available"]) { name quantity } } }
                }
              }
            }
          }
        }
      }
    }
  }
}
"""

BULK_RUN = """
mutation BulkProducts($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status }
    userErrors { field message }
  }
}
"""

BULK_STATUS = """
query BulkStatus($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl }
}
"""

BULK_RUNNING = """
query BulkRunning {
  bulkOperations(first: 1, sortKey: CREATED_AT, reverse: true, query: "status:running") {
    nodes { id status query }
  }
}
"""

ORDER_CREATE = """
mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id legacyResourceId name sourceIdentifier tags }
    userErrors { field message code }
  }
}
"""

# Finding an order the app made before (its answer lost): by the tag that carries the TikTok order id.
ORDERS_BY_TAG = """
query OrdersByTag($query: String!) {
  orders(first: 5, query: $query) {
    nodes { id legacyResourceId name sourceIdentifier tags cancelledAt }
  }
}
"""

ORDER = """
query Order($id: ID!) {
  order(id: $id) {
    id legacyResourceId name sourceName sourceIdentifier tags cancelledAt
    fulfillments(first: 20) { id status createdAt trackingInfo(first: 5) { number company url } }
  }
}
"""

ORDER_CANCEL = """
mutation OrderCancel($orderId: ID!, $reason: OrderCancelReason!, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, restock: true, notifyCustomer: false, staffNote: $staffNote,
              refundMethod: {originalPaymentMethodsRefund: false}) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

# One refund per TikTok return: the return id is in the refund's note, looked up before refunding.
ORDER_FOR_REFUND = """
query OrderForRefund($id: ID!) {
  order(id: $id) {
    id sourceIdentifier
    lineItems(first: 100) { nodes { id quantity variant { id } } }
    refunds(first: 50) { id note }
  }
}
"""

REFUND_CREATE = """
mutation RefundCreate($input: RefundInput!) {
  refundCreate(input: $input) {
    refund { id note }
    userErrors { field message }
  }
}
"""
