-- One row per marketplace, local day and attribution window: Sponsored Products totals of all
-- campaigns, every ratio a ratio of the day's sums (never an average of campaign ratios), and
-- TACoS against the marketplace's total sales of that day (gmv of kpi_sales_daily, same
-- reporting currency). A day with spend and no sales has NULL ACoS/TACoS and a flag.
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
        summed.cost_local,
        summed.attributed_sales_local,
        coalesce(sales_days.gmv_local, 0) as total_sales_local,
        summed.is_provisional or coalesce(sales_days.is_provisional, false) as is_provisional

    from summed

    left join sales_days
        on summed.marketplace_id = sales_days.marketplace_id
        and summed.local_date = sales_days.local_date

)

select * from final
