-- Experiments count only the impressions serving logged itself (source 'serving'). Before, any
-- `impression` event with an `experiment` property counted, so a write key (one that pages carry
-- included) could add impressions to a variant of its choosing and move its results. Write keys
-- cannot have the source 'serving' (the collector refuses to issue one). Clicks and orders still
-- come from the shop, as they must; a forged click can only land on a request_id serving issued.
-- The views are replaced as they were in 0012 but for that condition (views keep no data).

DROP TABLE IF EXISTS experiment_results;

DROP TABLE IF EXISTS experiment_impressions;

CREATE VIEW IF NOT EXISTS experiment_impressions AS
SELECT
    request_id, event_date, impression_at, experiment, variant, list, user_id, anonymous_id, session_id,
    items_shown, clicks, items_clicked, orders, revenue
FROM
(
    SELECT
        request_id, event_date, impression_at, experiment, variant, list, user_id, anonymous_id, session_id,
        length(shown_item_ids) AS items_shown,
        clicks,
        length(arrayFilter((x, clicked) -> has(clicked, x), shown_item_ids, replicate(clicked_item_ids, shown_item_ids))) AS items_clicked
    FROM
    (
        SELECT
            request_id,
            min(event_date) AS event_date,
            min(event_time) AS impression_at,
            visitParamExtractString(argMin(properties, event_time), 'experiment') AS experiment,
            visitParamExtractString(argMin(properties, event_time), 'variant') AS variant,
            argMin(list, event_time) AS list,
            argMin(user_id, event_time) AS user_id,
            argMin(anonymous_id, event_time) AS anonymous_id,
            argMin(session_id, event_time) AS session_id,
            argMin(item_ids, event_time) AS shown_item_ids
        FROM events
        WHERE type = 'impression' AND source = 'serving' AND request_id != ''
        GROUP BY request_id
        HAVING experiment != ''
    )
    ANY LEFT JOIN
    (
        SELECT request_id, uniqExact(event_id) AS clicks, groupUniqArray(item_id) AS clicked_item_ids
        FROM events
        WHERE type = 'click' AND request_id != ''
        GROUP BY request_id
    ) USING (request_id)
)
ANY LEFT JOIN
(
    SELECT request_id, count() AS orders, sum(order_revenue) AS revenue
    FROM
    (
        SELECT request_id, event_id, any(revenue) AS order_revenue
        FROM events
        WHERE type = 'purchase' AND request_id != ''
        GROUP BY request_id, event_id
    )
    GROUP BY request_id
) USING (request_id);

ALTER TABLE experiment_impressions
    COMMENT COLUMN request_id 'the answer: recommendation response id shared by its impression, clicks and orders',
    COMMENT COLUMN event_date 'UTC day of the (first) impression',
    COMMENT COLUMN impression_at 'event_time of the (first) impression',
    COMMENT COLUMN experiment 'experiment the answer took part in',
    COMMENT COLUMN variant 'variant of the experiment that answered',
    COMMENT COLUMN list 'endpoint that answered: recommendations, similar, complements, batch',
    COMMENT COLUMN user_id 'logged-in shopper, empty when none',
    COMMENT COLUMN anonymous_id 'device or cookie id, empty when none',
    COMMENT COLUMN session_id 'session, empty when none',
    COMMENT COLUMN items_shown 'items in the answer',
    COMMENT COLUMN clicks 'click events with this request_id (any item, repeats included)',
    COMMENT COLUMN items_clicked 'shown items that were clicked',
    COMMENT COLUMN orders 'purchase events with this request_id',
    COMMENT COLUMN revenue 'sum of those purchases'' revenue, in their own currencies';

-- Per (experiment, variant): rates with 95 % Wilson score intervals (z = 1.96; 1.9208 = z²/2,
-- 3.8416 = z², 0.9604 = z²/4), revenue per impression with a 95 % normal-approximation interval
-- (mean ± 1.96 · s / √n, s the sample standard deviation of revenue over impressions, zeros
-- included). A row exists only for a variant with impressions (n ≥ 1); with one impression the
-- revenue interval is the mean itself (there is no spread to measure).
CREATE VIEW IF NOT EXISTS experiment_results AS
SELECT
    experiment,
    variant,
    impressions,
    clicked_impressions,
    ctr,
    (ctr + 1.9208 / impressions - 1.96 * sqrt(ctr * (1 - ctr) / impressions + 0.9604 / (impressions * impressions))) / (1 + 3.8416 / impressions) AS ctr_low,
    (ctr + 1.9208 / impressions + 1.96 * sqrt(ctr * (1 - ctr) / impressions + 0.9604 / (impressions * impressions))) / (1 + 3.8416 / impressions) AS ctr_high,
    total_clicks AS clicks,
    total_items_shown AS items_shown,
    total_items_clicked AS items_clicked,
    if(total_items_shown = 0, 0, total_items_clicked / total_items_shown) AS item_ctr,
    conversions,
    conversion_rate,
    (conversion_rate + 1.9208 / impressions - 1.96 * sqrt(conversion_rate * (1 - conversion_rate) / impressions + 0.9604 / (impressions * impressions))) / (1 + 3.8416 / impressions) AS conversion_low,
    (conversion_rate + 1.9208 / impressions + 1.96 * sqrt(conversion_rate * (1 - conversion_rate) / impressions + 0.9604 / (impressions * impressions))) / (1 + 3.8416 / impressions) AS conversion_high,
    total_orders AS orders,
    total_revenue AS revenue,
    revenue_per_impression,
    revenue_per_impression - revenue_margin AS revenue_per_impression_low,
    revenue_per_impression + revenue_margin AS revenue_per_impression_high,
    first_impression_at,
    last_impression_at
FROM
(
    SELECT
        experiment,
        variant,
        count() AS impressions,
        countIf(clicks > 0) AS clicked_impressions,
        clicked_impressions / impressions AS ctr,
        sum(clicks) AS total_clicks,
        sum(items_shown) AS total_items_shown,
        sum(items_clicked) AS total_items_clicked,
        countIf(orders > 0) AS conversions,
        conversions / impressions AS conversion_rate,
        sum(orders) AS total_orders,
        sum(revenue) AS total_revenue,
        total_revenue / impressions AS revenue_per_impression,
        if(impressions < 2, 0, 1.96 * sqrt(varSamp(revenue) / impressions)) AS revenue_margin,
        min(impression_at) AS first_impression_at,
        max(impression_at) AS last_impression_at
    FROM experiment_impressions
    GROUP BY experiment, variant
);

ALTER TABLE experiment_results
    COMMENT COLUMN impressions 'answers served under the variant (rows of experiment_impressions)',
    COMMENT COLUMN clicked_impressions 'answers with at least one click',
    COMMENT COLUMN ctr 'clicked_impressions / impressions',
    COMMENT COLUMN ctr_low '95 % Wilson lower bound of ctr',
    COMMENT COLUMN ctr_high '95 % Wilson upper bound of ctr',
    COMMENT COLUMN clicks 'click events attributed to the answers',
    COMMENT COLUMN items_shown 'items shown, summed over answers',
    COMMENT COLUMN items_clicked 'shown items clicked, summed over answers',
    COMMENT COLUMN item_ctr 'items_clicked / items_shown (no interval: items of one answer are not independent)',
    COMMENT COLUMN conversions 'answers with at least one attributed order',
    COMMENT COLUMN conversion_rate 'conversions / impressions',
    COMMENT COLUMN conversion_low '95 % Wilson lower bound of conversion_rate',
    COMMENT COLUMN conversion_high '95 % Wilson upper bound of conversion_rate',
    COMMENT COLUMN orders 'purchase events attributed to the answers',
    COMMENT COLUMN revenue 'their revenue, summed as sent (no currency conversion)',
    COMMENT COLUMN revenue_per_impression 'revenue / impressions',
    COMMENT COLUMN revenue_per_impression_low '95 % normal-approximation lower bound (the mean with one impression)',
    COMMENT COLUMN revenue_per_impression_high '95 % normal-approximation upper bound (the mean with one impression)',
    COMMENT COLUMN first_impression_at 'earliest impression of the variant',
    COMMENT COLUMN last_impression_at 'latest impression of the variant';
