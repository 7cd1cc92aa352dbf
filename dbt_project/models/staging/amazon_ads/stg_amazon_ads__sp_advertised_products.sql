-- One row per profile, report day and Sponsored Products ad (Ads v3 spAdvertisedProduct report,
-- groupBy advertiser): the SKU and ASIN the ad advertises, its campaign and ad group, and the
-- same measures as the campaign report. report_date is already a day in the profile's time
-- zone. Attributed purchases, sales and units are kept per attribution window, as reported
-- (NULL when the report did not ask for that window); salesNd counts every product bought
-- after a click on the ad (the advertised SKU and others), as in the campaign report.
{{
    config(
        materialized="incremental",
        incremental_strategy="merge",
        unique_key=["profile_id", "report_date", "ad_id"],
        on_schema_change="fail",
        post_hook=[
            "{{ delete_rows_missing_from_raw(source('amazon_ads', 'amazon_ads_sp_advertised_products'), ['profile_id', 'report_date', 'ad_id']) }}",
            "{{ save_incremental_state() }}",
        ],
    )
}}
{%- set plan = incremental_plan() %}
with

ad_days as (

    select
        profile_id,
        report_date,
        ad_id,
        _record as record,
        _loaded_at

    from {{ source('amazon_ads', 'amazon_ads_sp_advertised_products') }}
    {% if plan.changes_only %}
    -- an incremental run: the raw rows landed (new or changed) since the last build
    where {{ loaded_since('_loaded_at', plan) }}
    {% endif %}

),

final as (

    select
        profile_id,
        report_date,
        ad_id,
        record ->> 'campaignId' as campaign_id,
        record ->> 'adGroupId' as ad_group_id,
        record ->> 'advertisedSku' as advertised_sku,
        record ->> 'advertisedAsin' as advertised_asin,
        coalesce(try_cast(record ->> 'impressions' as bigint), 0) as impressions,
        coalesce(try_cast(record ->> 'clicks' as bigint), 0) as clicks,
        coalesce({{ to_money("record ->> 'cost'") }}, 0) as cost_local,
        try_cast(record ->> 'purchases1d' as bigint) as purchases_1d,
        try_cast(record ->> 'purchases7d' as bigint) as purchases_7d,
        try_cast(record ->> 'purchases14d' as bigint) as purchases_14d,
        try_cast(record ->> 'purchases30d' as bigint) as purchases_30d,
        {{ to_money("record ->> 'sales1d'") }} as sales_1d_local,
        {{ to_money("record ->> 'sales7d'") }} as sales_7d_local,
        {{ to_money("record ->> 'sales14d'") }} as sales_14d_local,
        {{ to_money("record ->> 'sales30d'") }} as sales_30d_local,
        try_cast(record ->> 'unitsSoldClicks1d' as bigint) as units_sold_clicks_1d,
        try_cast(record ->> 'unitsSoldClicks7d' as bigint) as units_sold_clicks_7d,
        try_cast(record ->> 'unitsSoldClicks14d' as bigint) as units_sold_clicks_14d,
        try_cast(record ->> 'unitsSoldClicks30d' as bigint) as units_sold_clicks_30d,
        _loaded_at as loaded_at

    from ad_days

)

select * from final
