-- One row per profile, report day and Sponsored Products campaign (Ads v3 spCampaigns report).
-- report_date is already a day in the profile's time zone. Attributed purchases and sales are
-- kept per attribution window, as reported (NULL when the report did not ask for that window).
{{
    config(
        materialized="incremental",
        incremental_strategy="merge",
        unique_key=["profile_id", "report_date", "campaign_id"],
        on_schema_change="fail",
        post_hook=[
            "{{ delete_rows_missing_from_raw(source('amazon_ads', 'amazon_ads_sp_campaigns'), ['profile_id', 'report_date', 'campaign_id']) }}",
            "{{ save_incremental_state() }}",
        ],
    )
}}
{%- set plan = incremental_plan() %}
with

campaign_days as (

    select
        profile_id,
        report_date,
        campaign_id,
        _record as record,
        _loaded_at

    from {{ source('amazon_ads', 'amazon_ads_sp_campaigns') }}
    {% if plan.changes_only %}
    -- an incremental run: the raw rows landed (new or changed) since the last build
    where {{ loaded_since('_loaded_at', plan) }}
    {% endif %}

),

final as (

    select
        profile_id,
        report_date,
        campaign_id,
        record ->> 'campaignName' as campaign_name,
        record ->> 'campaignStatus' as campaign_status,
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
        try_cast(record ->> 'unitsSoldClicks7d' as bigint) as units_sold_clicks_7d,
        try_cast(record ->> 'unitsSoldClicks14d' as bigint) as units_sold_clicks_14d,
        _loaded_at as loaded_at

    from campaign_days

)

select * from final
