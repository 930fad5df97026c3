-- Impression -> click attribution by request_id: which of the items a recommendation response
-- showed were clicked, at which position, how soon. Plain views over `events` (the join on
-- request_id needs both sides complete, which an insert-time materialized view never has).
--
-- An impression is an `impression` event with a request_id; a click is attributed to it when the
-- click carries the same request_id. Several impression events of one request (a list rendered
-- twice) count once: the earliest one's list is what was shown. Clicks are counted by distinct
-- event_id, and the earliest impression decides what was shown, so redeliveries stored twice
-- change nothing even without FINAL. Clicks whose request_id no impression carries are left out.
-- Positions are 1-based places in the shown list, 0 when the clicked item was not in it.
-- Must run on ClickHouse 18.16 and current releases.

-- 18.16 quirks shape this view: its `SELECT *` over a join returns only the left side (so the join
-- names its columns), and a lambda cannot capture a column (so `replicate` passes the clicked list
-- to the lambda as an argument).
CREATE VIEW IF NOT EXISTS impression_clicks AS
SELECT
    request_id,
    event_date,
    list,
    user_id,
    anonymous_id,
    session_id,
    impression_at,
    shown_item_ids,
    length(shown_item_ids) AS items_shown,
    clicks,
    arrayFilter((x, clicked) -> has(clicked, x), shown_item_ids, replicate(clicked_item_ids, shown_item_ids)) AS clicked_shown_item_ids,
    arrayFilter((i, x, clicked) -> has(clicked, x), arrayEnumerate(shown_item_ids), shown_item_ids, replicate(clicked_item_ids, shown_item_ids)) AS clicked_positions,
    length(clicked_shown_item_ids) AS items_clicked,
    if(items_shown = 0, 0, items_clicked / items_shown) AS ctr,
    indexOf(shown_item_ids, first_clicked_item_id) AS first_click_position,
    if(clicks = 0, -1, toInt64(first_click_at) - toInt64(impression_at)) AS seconds_to_first_click
FROM
(
    SELECT
        request_id, event_date, list, user_id, anonymous_id, session_id, impression_at, shown_item_ids,
        clicks, clicked_item_ids, first_click_at, first_clicked_item_id
    FROM
    (
        SELECT
            request_id,
            min(event_date) AS event_date,
            argMin(list, event_time) AS list,
            argMin(user_id, event_time) AS user_id,
            argMin(anonymous_id, event_time) AS anonymous_id,
            argMin(session_id, event_time) AS session_id,
            min(event_time) AS impression_at,
            argMin(item_ids, event_time) AS shown_item_ids
        FROM events
        WHERE type = 'impression' AND request_id != ''
        GROUP BY request_id
    )
    ANY LEFT JOIN
    (
        SELECT
            request_id,
            uniqExact(event_id) AS clicks,
            groupUniqArray(item_id) AS clicked_item_ids,
            min(event_time) AS first_click_at,
            argMin(item_id, event_time) AS first_clicked_item_id
        FROM events
        WHERE type = 'click' AND request_id != ''
        GROUP BY request_id
    ) USING (request_id)
);

ALTER TABLE impression_clicks
    COMMENT COLUMN request_id 'recommendation response id shared by the impression and its clicks',
    COMMENT COLUMN event_date 'UTC day of the (first) impression',
    COMMENT COLUMN list 'list the items were shown in, as sent with the impression',
    COMMENT COLUMN user_id 'logged-in shopper id of the impression, empty when none',
    COMMENT COLUMN anonymous_id 'device or cookie id of the impression, empty when none',
    COMMENT COLUMN session_id 'session of the impression, empty when none',
    COMMENT COLUMN impression_at 'event_time of the (first) impression',
    COMMENT COLUMN shown_item_ids 'items shown, in display order',
    COMMENT COLUMN items_shown 'length of shown_item_ids',
    COMMENT COLUMN clicks 'click events with this request_id (any item)',
    COMMENT COLUMN clicked_shown_item_ids 'shown items that were clicked, in display order',
    COMMENT COLUMN clicked_positions '1-based positions of the clicked shown items',
    COMMENT COLUMN items_clicked 'length of clicked_shown_item_ids',
    COMMENT COLUMN ctr 'items_clicked / items_shown',
    COMMENT COLUMN first_click_position '1-based position of the first clicked item, 0 when not clicked or not shown',
    COMMENT COLUMN seconds_to_first_click 'first click event_time - impression_at in seconds, -1 without clicks';

-- Daily rollup per (event_date, list): how often shown items were clicked.
CREATE VIEW IF NOT EXISTS impression_clicks_daily AS
SELECT
    event_date,
    list,
    requests,
    requests_clicked,
    total_items_shown AS items_shown,
    total_items_clicked AS items_clicked,
    total_clicks AS clicks,
    if(total_items_shown = 0, 0, total_items_clicked / total_items_shown) AS ctr,
    if(requests = 0, 0, requests_clicked / requests) AS request_ctr
FROM
(
    SELECT
        event_date,
        list,
        count() AS requests,
        countIf(items_clicked > 0) AS requests_clicked,
        sum(items_shown) AS total_items_shown,
        sum(items_clicked) AS total_items_clicked,
        sum(clicks) AS total_clicks
    FROM impression_clicks
    GROUP BY event_date, list
);

ALTER TABLE impression_clicks_daily
    COMMENT COLUMN event_date 'UTC day of the impressions',
    COMMENT COLUMN list 'list the items were shown in',
    COMMENT COLUMN requests 'requests with an impression (rows of impression_clicks)',
    COMMENT COLUMN requests_clicked 'requests with at least one shown item clicked',
    COMMENT COLUMN items_shown 'items shown, summed over requests',
    COMMENT COLUMN items_clicked 'shown items clicked, summed over requests',
    COMMENT COLUMN clicks 'click events attributed to the requests',
    COMMENT COLUMN ctr 'items_clicked / items_shown',
    COMMENT COLUMN request_ctr 'requests_clicked / requests';
