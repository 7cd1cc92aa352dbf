-- One row per marketplace, local day (the ads profile's zone), advertised seller SKU and
-- attribution window: the SKU's Sponsored Products ads summed over its ads and campaigns
-- (spAdvertisedProduct report), beside that SKU's own sales, refunds and stock of the same
-- marketplace and day, so ACoS, TACoS and refund rate per SKU sit in one row. Every ratio is a
-- ratio of the row's sums; a zero denominator gives NULL.
-- Rows: every SKU-day with an ad row, and every day between the marketplace's first and newest
-- ads report day on which a SKU advertised there (in that window) sold or was refunded, with
-- zero ad figures, so a SKU's TACoS and refund rate over a month add up from its rows.
-- Sales: order lines of that marketplace only (non-cancelled, non-test), by order day; refunds
-- by ORDER date (refunded units of the orders placed that day). A SKU with no inventory row
-- that day (merchant-fulfilled, not in the loaded inventory history) has NULL on_hand_units and
-- is_stock_out: unknown, never "in stock".
-- is_provisional: the day is within var ads_settle_days of the marketplace's newest ads report
-- day, or its sales day or inventory row is provisional.
with

ad_days as (

    select
        marketplace_id,
        local_date,
        seller_sku,
        attribution_window_days,
        currency_code,
        ad_id,
        campaign_id,
        impressions,
        clicks,
        purchases,
        attributed_units,
        cost,
        attributed_sales,
        cost_local,
        attributed_sales_local

    from {{ ref('int_ads_ad_days_by_window') }}

),

order_lines as (

    select
        marketplace_id,
        sku,
        order_local_date,
        quantity,
        gross_amount,
        gross_amount_local

    from {{ ref('int_order_lines_unioned') }}

    where not is_cancelled and not is_test

),

refunds as (

    select
        marketplace_id,
        sku,
        order_local_date,
        quantity

    from {{ ref('int_refunds_unioned') }}

    where is_order_known and not is_order_cancelled and not is_order_test

),

inventory_days as (

    select
        marketplace_id,
        seller_sku,
        local_date,
        on_hand_units,
        is_stock_out,
        is_provisional

    from {{ ref('kpi_inventory_daily') }}

),

sales_days as (

    select
        marketplace_id,
        local_date,
        is_provisional

    from {{ ref('kpi_sales_daily') }}

),

marketplaces as (

    select
        marketplace_id,
        currency_code

    from {{ ref('int_marketplaces') }}

),

ads_by_sku_day as (

    select
        marketplace_id,
        local_date,
        seller_sku,
        attribution_window_days,
        min(currency_code) as currency_code,
        count(*) as ads_count,
        count(distinct campaign_id) as campaigns_count,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        coalesce(sum(purchases), 0) as purchases,
        coalesce(sum(attributed_units), 0) as attributed_units,
        cast(sum(cost) as decimal(18, 4)) as cost,
        cast(coalesce(sum(attributed_sales), 0) as decimal(18, 4)) as attributed_sales,
        cast(sum(cost_local) as decimal(18, 4)) as cost_local,
        cast(coalesce(sum(attributed_sales_local), 0) as decimal(18, 4))
            as attributed_sales_local

    from ad_days

    group by marketplace_id, local_date, seller_sku, attribution_window_days

),

sales_by_sku_day as (

    select
        marketplace_id,
        sku as seller_sku,
        order_local_date as local_date,
        sum(quantity) as units_sold,
        sum(gross_amount) as gmv,
        sum(gross_amount_local) as gmv_local

    from order_lines

    group by marketplace_id, sku, order_local_date

),

refunds_by_sku_order_day as (

    select
        marketplace_id,
        sku as seller_sku,
        order_local_date as local_date,
        coalesce(sum(quantity), 0) as refunded_units

    from refunds

    group by marketplace_id, sku, order_local_date

),

ads_bounds as (

    select
        marketplace_id,
        min(local_date) as first_ads_date,
        max(local_date) as newest_ads_date

    from ads_by_sku_day

    group by marketplace_id

),

advertised_skus as (

    select distinct
        marketplace_id,
        seller_sku,
        attribution_window_days

    from ads_by_sku_day

),

selling_days as (

    select marketplace_id, seller_sku, local_date from sales_by_sku_day

    union

    select marketplace_id, seller_sku, local_date from refunds_by_sku_order_day

),

spine as (

    select
        marketplace_id,
        local_date,
        seller_sku,
        attribution_window_days

    from ads_by_sku_day

    union

    select
        advertised_skus.marketplace_id,
        selling_days.local_date,
        advertised_skus.seller_sku,
        advertised_skus.attribution_window_days

    from advertised_skus

    inner join selling_days
        on advertised_skus.marketplace_id = selling_days.marketplace_id
        and advertised_skus.seller_sku = selling_days.seller_sku

    inner join ads_bounds
        on advertised_skus.marketplace_id = ads_bounds.marketplace_id

    where selling_days.local_date between ads_bounds.first_ads_date and ads_bounds.newest_ads_date

),

joined as (

    select
        spine.marketplace_id,
        spine.local_date,
        spine.seller_sku,
        spine.attribution_window_days,
        coalesce(ads.currency_code, marketplaces.currency_code) as currency_code,
        coalesce(ads.ads_count, 0) as ads_count,
        coalesce(ads.campaigns_count, 0) as campaigns_count,
        coalesce(ads.impressions, 0) as impressions,
        coalesce(ads.clicks, 0) as clicks,
        coalesce(ads.cost, 0) as cost,
        coalesce(ads.attributed_sales, 0) as attributed_sales,
        coalesce(ads.purchases, 0) as purchases,
        coalesce(ads.attributed_units, 0) as attributed_units,
        coalesce(sales.units_sold, 0) as units_sold,
        coalesce(sales.gmv, 0) as gmv,
        coalesce(refunds.refunded_units, 0) as refunded_units,
        inventory.on_hand_units,
        inventory.is_stock_out,
        coalesce(ads.cost_local, 0) as cost_local,
        coalesce(ads.attributed_sales_local, 0) as attributed_sales_local,
        coalesce(sales.gmv_local, 0) as gmv_local,
        date_diff('day', spine.local_date, ads_bounds.newest_ads_date)
            < {{ var('ads_settle_days') }}
            or coalesce(sales_days.is_provisional, false)
            or coalesce(inventory.is_provisional, false) as is_provisional

    from spine

    inner join ads_bounds
        on spine.marketplace_id = ads_bounds.marketplace_id

    left join ads_by_sku_day as ads
        on spine.marketplace_id = ads.marketplace_id
        and spine.local_date = ads.local_date
        and spine.seller_sku = ads.seller_sku
        and spine.attribution_window_days = ads.attribution_window_days

    left join sales_by_sku_day as sales
        on spine.marketplace_id = sales.marketplace_id
        and spine.local_date = sales.local_date
        and spine.seller_sku = sales.seller_sku

    left join refunds_by_sku_order_day as refunds
        on spine.marketplace_id = refunds.marketplace_id
        and spine.local_date = refunds.local_date
        and spine.seller_sku = refunds.seller_sku

    left join inventory_days as inventory
        on spine.marketplace_id = inventory.marketplace_id
        and spine.local_date = inventory.local_date
        and spine.seller_sku = inventory.seller_sku

    left join sales_days
        on spine.marketplace_id = sales_days.marketplace_id
        and spine.local_date = sales_days.local_date

    left join marketplaces
        on spine.marketplace_id = marketplaces.marketplace_id

),

final as (

    select
        marketplace_id,
        local_date,
        seller_sku,
        attribution_window_days,
        currency_code,
        ads_count,
        campaigns_count,
        impressions,
        clicks,
        cost,
        attributed_sales,
        purchases,
        attributed_units,
        {{ ratio('clicks', 'impressions') }} as ctr,
        {{ ratio('cost', 'clicks') }} as cpc,
        {{ ratio('purchases', 'clicks') }} as cvr,
        {{ ratio('cost', 'attributed_sales') }} as acos,
        {{ ratio('attributed_sales', 'cost') }} as roas,
        units_sold,
        gmv,
        refunded_units,
        {{ ratio('refunded_units', 'units_sold') }} as refund_rate,
        {{ ratio('cost', 'gmv') }} as tacos,
        on_hand_units,
        is_stock_out,
        cost > 0 and attributed_sales = 0 as has_spend_without_sales,
        cost > 0 and gmv = 0 as has_spend_without_total_sales,
        cost_local,
        attributed_sales_local,
        gmv_local,
        is_provisional

    from joined

)

select * from final
