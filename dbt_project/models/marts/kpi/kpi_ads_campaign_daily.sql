-- One row per marketplace, local day (the ads profile's zone, as Amazon reports it),
-- Sponsored Products campaign and attribution window. Ratios come from this row's own parts;
-- a zero denominator gives NULL, and spend without attributed sales is flagged.
-- is_provisional: the day is within var ads_settle_days of the marketplace's newest report day
-- (Amazon restates attributed purchases and sales for weeks; the nightly run re-pulls them).
with

campaign_days as (

    select
        marketplace_id,
        local_date,
        campaign_id,
        campaign_name,
        profile_id,
        attribution_window_days,
        currency_code,
        impressions,
        clicks,
        purchases,
        cost,
        attributed_sales,
        cost_local,
        attributed_sales_local

    from {{ ref('int_ads_campaign_days_by_window') }}

),

final as (

    select
        marketplace_id,
        local_date,
        campaign_id,
        campaign_name,
        profile_id,
        attribution_window_days,
        currency_code,
        impressions,
        clicks,
        cost,
        coalesce(attributed_sales, 0) as attributed_sales,
        coalesce(purchases, 0) as purchases,
        {{ ratio('clicks', 'impressions') }} as ctr,
        {{ ratio('cost', 'clicks') }} as cpc,
        {{ ratio('coalesce(purchases, 0)', 'clicks') }} as cvr,
        {{ ratio('cost', 'coalesce(attributed_sales, 0)') }} as acos,
        {{ ratio('coalesce(attributed_sales, 0)', 'cost') }} as roas,
        cost > 0 and coalesce(attributed_sales, 0) = 0 as has_spend_without_sales,
        coalesce(attributed_sales, 0) > 0 and clicks = 0 as has_sales_without_clicks,
        cost_local,
        coalesce(attributed_sales_local, 0) as attributed_sales_local,
        date_diff(
            'day', local_date, max(local_date) over (partition by marketplace_id)
        ) < {{ var('ads_settle_days') }} as is_provisional

    from campaign_days

)

select * from final
