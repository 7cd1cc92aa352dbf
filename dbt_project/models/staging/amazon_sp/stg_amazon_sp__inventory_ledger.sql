-- One row per ledger day, MSKU, disposition and country (GET_LEDGER_SUMMARY_VIEW_DATA,
-- aggregated by country and day). The country in Location names the marketplace.
{{
    config(
        materialized="incremental",
        incremental_strategy="merge",
        unique_key=["ledger_date", "seller_sku", "disposition", "location"],
        on_schema_change="fail",
        post_hook=[
            "{{ delete_rows_missing_from_raw(source('amazon_sp', 'amazon_inventory_ledger'), ['ledger_date', 'msku', 'disposition', 'location'], ['ledger_date', 'seller_sku', 'disposition', 'location']) }}",
            "{{ save_incremental_state() }}",
        ],
    )
}}
{%- set plan = incremental_plan() %}
with

ledger as (

    select
        ledger_date,
        msku,
        disposition,
        location,
        marketplace_id as requested_marketplace_id,
        _record as record,
        _loaded_at

    from {{ source('amazon_sp', 'amazon_inventory_ledger') }}
    {% if plan.changes_only %}
    -- an incremental run: the raw rows landed (new or changed) since the last build
    where {{ loaded_since('_loaded_at', plan) }}
    {% endif %}

),

marketplaces as (

    select
        marketplace_id,
        country_code

    from {{ ref('marketplaces') }}

),

extracted as (

    select
        ledger_date,
        msku as seller_sku,
        disposition,
        location,
        -- Amazon writes UK where ISO (and the marketplaces seed) says GB
        case upper(location) when 'UK' then 'GB' else upper(location) end as country_code,
        requested_marketplace_id,
        record ->> 'FNSKU' as fn_sku,
        record ->> 'ASIN' as asin,
        try_cast(record ->> 'StartingWarehouseBalance' as integer) as starting_balance_units,
        try_cast(record ->> 'Receipts' as integer) as receipts_units,
        try_cast(record ->> 'CustomerShipments' as integer) as customer_shipments_units,
        try_cast(record ->> 'CustomerReturns' as integer) as customer_returns_units,
        try_cast(record ->> 'EndingWarehouseBalance' as integer) as ending_balance_units,
        _loaded_at as loaded_at

    from ledger

),

final as (

    select
        extracted.ledger_date,
        extracted.seller_sku,
        extracted.disposition,
        extracted.location,
        extracted.country_code,
        marketplaces.marketplace_id,
        extracted.requested_marketplace_id,
        extracted.fn_sku,
        extracted.asin,
        extracted.starting_balance_units,
        extracted.receipts_units,
        extracted.customer_shipments_units,
        extracted.customer_returns_units,
        extracted.ending_balance_units,
        extracted.loaded_at

    from extracted

    left join marketplaces
        on extracted.country_code = marketplaces.country_code

)

select * from final
