-- Conversion funnel per (event_date, category): views -> add_to_cart -> purchase.
--
-- Events carry no category, so this view joins `daily_item_stats` with the catalog as it is now
-- (latest version of each item, deleted items left out): an item that moved category counts
-- under its current one for every day. Items the catalog does not know (never sent, or deleted)
-- go into category '(unknown)'; catalog items without a category have category ''.
-- Built on `daily_item_stats`, so it inherits its exactness (events arrive once, see 0006).
-- A rate whose denominator is 0 is 0. Must run on ClickHouse 18.16 and current releases.
CREATE VIEW IF NOT EXISTS category_funnel AS
SELECT
    event_date,
    category,
    items,
    views,
    add_to_carts,
    orders,
    purchases,
    revenue,
    if(views = 0, 0, add_to_carts / views) AS view_to_cart_rate,
    if(add_to_carts = 0, 0, orders / add_to_carts) AS cart_to_order_rate,
    if(views = 0, 0, orders / views) AS view_to_order_rate
FROM
(
    SELECT
        event_date,
        if(in_catalog = 1, catalog_category, '(unknown)') AS category,
        count() AS items,
        sum(views) AS views,
        sum(add_to_carts) AS add_to_carts,
        sum(orders) AS orders,
        sum(purchases) AS purchases,
        sum(revenue) AS revenue
    FROM daily_item_stats
    ANY LEFT JOIN
    (
        SELECT item_id, category AS catalog_category, toUInt8(1) AS in_catalog
        FROM items FINAL
        WHERE is_deleted = 0
    ) USING (item_id)
    GROUP BY event_date, category
);

ALTER TABLE category_funnel
    COMMENT COLUMN event_date 'UTC day of the events',
    COMMENT COLUMN category 'current leaf category of the items, empty for catalog items without one, (unknown) for items not in the catalog',
    COMMENT COLUMN items 'items of the category with any activity that day',
    COMMENT COLUMN views 'view events',
    COMMENT COLUMN add_to_carts 'add_to_cart events',
    COMMENT COLUMN orders 'purchase events, counted once per item they contain',
    COMMENT COLUMN purchases 'units purchased',
    COMMENT COLUMN revenue 'sum of line price x quantity, in the currencies as sent',
    COMMENT COLUMN view_to_cart_rate 'add_to_carts / views, 0 without views',
    COMMENT COLUMN cart_to_order_rate 'orders / add_to_carts, 0 without add_to_carts',
    COMMENT COLUMN view_to_order_rate 'orders / views, 0 without views';
