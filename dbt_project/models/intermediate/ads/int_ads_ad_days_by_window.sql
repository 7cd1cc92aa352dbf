-- One row per profile, report day, Sponsored Products ad and attribution window the report
-- carries (purchasesNd/salesNd/unitsSoldClicksNd present): the window is a dimension, never
-- mixed, as in int_ads_campaign_days_by_window. A row whose report asked for no attributed
-- column keeps the 7-day window with NULL attribution. seller_sku is the advertised SKU; an ad
-- without one (vendor accounts) keeps its spend under `asin:<ASIN>`, which matches no inventory.
-- Report days are already the profile's local days; amounts are converted at that day's rate.
{{
    config(
        materialized="incremental",
        incremental_strategy="replace_scope",
        unique_key=["profile_id", "local_date"],
        post_hook=["{{ save_incremental_state() }}"],
    )
}}
{%- set plan = incremental_plan() %}
with

{% if is_incremental() -%}
-- an incremental run rebuilds whole profile days (README.md, "Incremental models")
scopes as (

    {% if plan.changes_only -%}
    {{ ads_profile_days_to_rebuild(plan, ref('stg_amazon_ads__sp_advertised_products'), 'ad_id') }}
    {%- else -%}
    -- every stored profile day (a changed seed or model file): the whole table is rebuilt
    select distinct profile_id, local_date from {{ this }}
    {%- endif %}

),

{% endif -%}

ad_days as (

    select
        profile_id,
        report_date,
        ad_id,
        campaign_id,
        ad_group_id,
        advertised_sku,
        advertised_asin,
        impressions,
        clicks,
        cost_local,
        purchases_1d,
        purchases_7d,
        purchases_14d,
        purchases_30d,
        sales_1d_local,
        sales_7d_local,
        sales_14d_local,
        sales_30d_local,
        units_sold_clicks_1d,
        units_sold_clicks_7d,
        units_sold_clicks_14d,
        units_sold_clicks_30d

    from {{ ref('stg_amazon_ads__sp_advertised_products') }}

    {% if plan.changes_only -%}
    where (profile_id, report_date) in (select (profile_id, local_date) from scopes)
    {%- endif %}

),

profiles as (

    select
        profile_id,
        marketplace_id,
        currency_code

    from {{ ref('stg_amazon_ads__profiles') }}

),

fx_rates as (

    select
        currency_code,
        rate_date,
        rate

    from {{ ref('int_fx_rates_daily') }}

),

windows as (

    select unnest([1, 7, 14, 30]) as attribution_window_days

),

unpivoted as (

    select
        ad_days.profile_id,
        ad_days.report_date,
        ad_days.ad_id,
        ad_days.campaign_id,
        ad_days.ad_group_id,
        ad_days.advertised_sku,
        ad_days.advertised_asin,
        ad_days.impressions,
        ad_days.clicks,
        ad_days.cost_local,
        windows.attribution_window_days,
        case windows.attribution_window_days
            when 1 then ad_days.purchases_1d
            when 7 then ad_days.purchases_7d
            when 14 then ad_days.purchases_14d
            when 30 then ad_days.purchases_30d
        end as purchases,
        case windows.attribution_window_days
            when 1 then ad_days.sales_1d_local
            when 7 then ad_days.sales_7d_local
            when 14 then ad_days.sales_14d_local
            when 30 then ad_days.sales_30d_local
        end as attributed_sales_local,
        case windows.attribution_window_days
            when 1 then ad_days.units_sold_clicks_1d
            when 7 then ad_days.units_sold_clicks_7d
            when 14 then ad_days.units_sold_clicks_14d
            when 30 then ad_days.units_sold_clicks_30d
        end as attributed_units,
        coalesce(
            ad_days.purchases_1d, ad_days.purchases_7d,
            ad_days.purchases_14d, ad_days.purchases_30d,
            ad_days.sales_1d_local, ad_days.sales_7d_local,
            ad_days.sales_14d_local, ad_days.sales_30d_local
        ) is not null as has_any_window

    from ad_days

    cross join windows

),

reported_windows as (

    select * from unpivoted

    where
        purchases is not null
        or attributed_sales_local is not null
        or (not has_any_window and attribution_window_days = 7)

),

converted as (

    select
        reported_windows.profile_id,
        profiles.marketplace_id,
        reported_windows.report_date as local_date,
        reported_windows.ad_id,
        reported_windows.campaign_id,
        reported_windows.ad_group_id,
        coalesce(
            reported_windows.advertised_sku, 'asin:' || reported_windows.advertised_asin
        ) as seller_sku,
        reported_windows.advertised_asin,
        reported_windows.attribution_window_days,
        profiles.currency_code,
        reported_windows.impressions,
        reported_windows.clicks,
        reported_windows.cost_local,
        reported_windows.attributed_sales_local,
        reported_windows.purchases,
        reported_windows.attributed_units,
        case
            when profiles.currency_code = '{{ var("reporting_currency") }}' then 1.0
            else fx_rates.rate
        end as fx_rate

    from reported_windows

    left join profiles
        on reported_windows.profile_id = profiles.profile_id

    left join fx_rates
        on profiles.currency_code = fx_rates.currency_code
        and reported_windows.report_date = fx_rates.rate_date

),

final as (

    select
        profile_id,
        marketplace_id,
        local_date,
        ad_id,
        campaign_id,
        ad_group_id,
        seller_sku,
        advertised_asin,
        attribution_window_days,
        currency_code,
        impressions,
        clicks,
        cost_local,
        attributed_sales_local,
        purchases,
        attributed_units,
        fx_rate,
        {{ to_reporting_currency('cost_local', 'fx_rate') }} as cost,
        {{ to_reporting_currency('attributed_sales_local', 'fx_rate') }} as attributed_sales

    from converted

)

select * from final
{% if is_incremental() %}
{{ scope_markers('scopes', ['profile_id', 'local_date']) }}
{% endif %}
