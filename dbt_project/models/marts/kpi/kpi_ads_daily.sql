-- One row per marketplace, local day and attribution window: Sponsored Products totals of all
-- campaigns, every ratio a ratio of the day's sums (never an average of campaign ratios), and
-- TACoS against the marketplace's total sales of that day (gmv of kpi_sales_daily, same
-- reporting currency). A day with spend and no sales has NULL ACoS/TACoS and a flag.
-- Ad spend on out-of-stock SKUs comes from the advertised-product report (kpi_ads_sku_daily):
-- the cost of the day's ads whose SKU had no sellable unit at the end of that day; spend on SKUs
-- without an inventory row that day is stock_unknown_cost, never counted as in or out of stock.
-- Both are NULL on a day the advertised-product report does not cover (no SKU rows).
-- is_provisional: its campaign rows are (ads settle window), or its sales day is (TACoS).
with

campaign_days as (

    select
        marketplace_id,
        local_date,
        attribution_window_days,
        currency_code,
        campaign_id,
        impressions,
        clicks,
        purchases,
        cost,
        attributed_sales,
        cost_local,
        attributed_sales_local,
        is_provisional

    from {{ ref('kpi_ads_campaign_daily') }}

),

sales_days as (

    select
        marketplace_id,
        local_date,
        gmv,
        gmv_local,
        is_provisional

    from {{ ref('kpi_sales_daily') }}

),

sku_stock_days as (

    select
        marketplace_id,
        local_date,
        attribution_window_days,
        cast(coalesce(sum(cost) filter (where is_stock_out), 0) as decimal(18, 4))
            as out_of_stock_cost,
        cast(coalesce(sum(cost) filter (where is_stock_out is null), 0) as decimal(18, 4))
            as stock_unknown_cost,
        cast(coalesce(sum(cost_local) filter (where is_stock_out), 0) as decimal(18, 4))
            as out_of_stock_cost_local,
        cast(coalesce(sum(cost_local) filter (where is_stock_out is null), 0) as decimal(18, 4))
            as stock_unknown_cost_local

    from {{ ref('kpi_ads_sku_daily') }}

    where ads_count > 0

    group by marketplace_id, local_date, attribution_window_days

),

summed as (

    select
        marketplace_id,
        local_date,
        attribution_window_days,
        min(currency_code) as currency_code,
        count(*) as campaigns_count,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(purchases) as purchases,
        cast(sum(cost) as decimal(18, 4)) as cost,
        cast(sum(attributed_sales) as decimal(18, 4)) as attributed_sales,
        cast(sum(cost_local) as decimal(18, 4)) as cost_local,
        cast(sum(attributed_sales_local) as decimal(18, 4)) as attributed_sales_local,
        bool_or(is_provisional) as is_provisional

    from campaign_days

    group by marketplace_id, local_date, attribution_window_days

),

final as (

    select
        summed.marketplace_id,
        summed.local_date,
        summed.attribution_window_days,
        summed.currency_code,
        summed.campaigns_count,
        summed.impressions,
        summed.clicks,
        summed.cost,
        summed.attributed_sales,
        summed.purchases,
        {{ ratio('summed.clicks', 'summed.impressions') }} as ctr,
        {{ ratio('summed.cost', 'summed.clicks') }} as cpc,
        {{ ratio('summed.purchases', 'summed.clicks') }} as cvr,
        {{ ratio('summed.cost', 'summed.attributed_sales') }} as acos,
        {{ ratio('summed.attributed_sales', 'summed.cost') }} as roas,
        coalesce(sales_days.gmv, 0) as total_sales,
        {{ ratio('summed.cost', 'coalesce(sales_days.gmv, 0)') }} as tacos,
        summed.cost > 0 and summed.attributed_sales = 0 as has_spend_without_sales,
        summed.cost > 0 and coalesce(sales_days.gmv, 0) = 0 as has_spend_without_total_sales,
        sku_stock_days.out_of_stock_cost,
        {{ ratio('sku_stock_days.out_of_stock_cost', 'summed.cost') }} as out_of_stock_cost_share,
        sku_stock_days.stock_unknown_cost,
        summed.cost_local,
        summed.attributed_sales_local,
        coalesce(sales_days.gmv_local, 0) as total_sales_local,
        sku_stock_days.out_of_stock_cost_local,
        sku_stock_days.stock_unknown_cost_local,
        summed.is_provisional or coalesce(sales_days.is_provisional, false) as is_provisional

    from summed

    left join sales_days
        on summed.marketplace_id = sales_days.marketplace_id
        and summed.local_date = sales_days.local_date

    left join sku_stock_days
        on summed.marketplace_id = sku_stock_days.marketplace_id
        and summed.local_date = sku_stock_days.local_date
        and summed.attribution_window_days = sku_stock_days.attribution_window_days

)

select * from final
