-- One row per Amazon order (getOrders), typed, with the marketplace's local purchase date.
{{
    config(
        materialized="incremental",
        incremental_strategy="merge",
        unique_key="amazon_order_id",
        on_schema_change="fail",
        post_hook=[
            "{{ delete_rows_missing_from_raw(source('amazon_sp', 'amazon_orders'), ['amazon_order_id']) }}",
            "{{ save_incremental_state() }}",
        ],
    )
}}
{%- set plan = incremental_plan() %}
with

orders as (

    select
        amazon_order_id,
        _record as record,
        _loaded_at

    from {{ source('amazon_sp', 'amazon_orders') }}
    {% if plan.changes_only %}
    -- an incremental run: the raw rows landed (new or changed) since the last build
    where {{ loaded_since('_loaded_at', plan) }}
    {% endif %}

),

marketplaces as (

    select
        marketplace_id,
        currency_code,
        time_zone

    from {{ ref('marketplaces') }}

),

extracted as (

    select
        amazon_order_id,
        record ->> 'MarketplaceId' as marketplace_id,
        record ->> 'OrderStatus' as order_status,
        record ->> 'FulfillmentChannel' as fulfillment_channel,
        record ->> 'SalesChannel' as sales_channel,
        record ->> 'OrderType' as order_type,
        cast(record ->> 'PurchaseDate' as timestamptz) as purchased_at,
        cast(record ->> 'LastUpdateDate' as timestamptz) as last_updated_at,
        try_cast(record ->> 'EarliestShipDate' as timestamptz) as earliest_ship_at,
        try_cast(record ->> 'LatestShipDate' as timestamptz) as latest_ship_at,
        {{ to_money("record -> 'OrderTotal' ->> 'Amount'") }} as order_total_amount_local,
        record -> 'OrderTotal' ->> 'CurrencyCode' as order_total_currency_code,
        try_cast(record ->> 'NumberOfItemsShipped' as integer) as items_shipped_count,
        try_cast(record ->> 'NumberOfItemsUnshipped' as integer) as items_unshipped_count,
        coalesce(try_cast(record ->> 'IsBusinessOrder' as boolean), false) as is_business_order,
        coalesce(
            try_cast(record ->> 'IsReplacementOrder' as boolean), false
        ) as is_replacement_order,
        _loaded_at as loaded_at

    from orders

),

final as (

    select
        extracted.amazon_order_id,
        extracted.marketplace_id,
        extracted.order_status,
        extracted.order_status = 'Canceled' as is_cancelled,
        extracted.fulfillment_channel,
        extracted.sales_channel,
        extracted.order_type,
        extracted.purchased_at,
        {{ to_local_date('extracted.purchased_at', 'marketplaces.time_zone') }}
            as purchase_local_date,
        -- the UTC calendar date: a plain cast, correct because profiles.yml pins the session
        -- to UTC (tests/assert_session_time_zone_is_utc.sql fails the build otherwise)
        cast(extracted.purchased_at as date) as purchase_utc_date,
        extracted.last_updated_at,
        extracted.earliest_ship_at,
        extracted.latest_ship_at,
        coalesce(
            extracted.order_total_currency_code, marketplaces.currency_code
        ) as currency_code,
        extracted.order_total_amount_local,
        extracted.items_shipped_count,
        extracted.items_unshipped_count,
        extracted.is_business_order,
        extracted.is_replacement_order,
        marketplaces.time_zone,
        extracted.loaded_at

    from extracted

    left join marketplaces
        on extracted.marketplace_id = marketplaces.marketplace_id

)

select * from final
