-- Catalog items, latest version per item: ReplacingMergeTree keeps the row with the highest
-- version. Deletes are rows with is_deleted = 1 (query with FINAL and filter them out).
CREATE TABLE IF NOT EXISTS items
(
    item_id        String,
    title          String,
    description    String,
    category_path  Array(String),
    category       String COMMENT 'leaf category',
    brand          String,
    price          Float64,
    currency       String,
    availability   String,
    attributes     String COMMENT 'JSON object',
    image_url      String,
    url            String,
    created_at     DateTime('UTC'),
    updated_at     DateTime('UTC'),
    version        UInt64 COMMENT 'updated_at in milliseconds; the highest wins',
    is_deleted     UInt8
)
ENGINE = ReplacingMergeTree(version)
ORDER BY item_id;
