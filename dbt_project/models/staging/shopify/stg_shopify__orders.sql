-- One row per Shopify order. Nothing is excluded here: test and cancelled orders are flagged
-- (is_test, is_cancelled) and left out by the sales models.
{{
    config(
        materialized="incremental",
        incremental_strategy="merge",
        unique_key="order_id",
        on_schema_change="fail",
        post_hook=[
            "{{ delete_rows_missing_from_raw(source('shopify', 'shopify_orders'), ['order_id']) }}",
            "{{ save_incremental_state() }}",
        ],
    )
}}
{%- set plan = incremental_plan() %}
with

orders as (

    select
        order_id,
        shop_domain,
        _record as record,
        _loaded_at

    from {{ source('shopify', 'shopify_orders') }}

    {% if plan.changes_only -%}
    -- an incremental run: the orders landed (new or changed) since the last build, and the
    -- stored orders whose shop now tells another time zone or currency (or none)
    where {{ loaded_since('_loaded_at', plan) }}
        or order_id in (
            select stored.order_id
            from {{ this }} as stored
            left join {{ ref('stg_shopify__shops') }} as shops
                on stored.shop_domain = shops.shop_domain
            where stored.time_zone is distinct from shops.time_zone
                or stored.currency_code is distinct from shops.currency_code
        )
    {%- endif %}

),

shops as (

    select
        shop_domain,
        marketplace_id,
        currency_code,
        time_zone

    from {{ ref('stg_shopify__shops') }}

),

extracted as (

    select
        order_id,
        shop_domain,
        record ->> 'name' as order_name,
        cast(record ->> 'created_at' as timestamptz) as created_at,
        cast(record ->> 'updated_at' as timestamptz) as updated_at,
        try_cast(record ->> 'processed_at' as timestamptz) as processed_at,
        try_cast(record ->> 'cancelled_at' as timestamptz) as cancelled_at,
        try_cast(record ->> 'closed_at' as timestamptz) as closed_at,
        record ->> 'cancel_reason' as cancel_reason,
        coalesce(try_cast(record ->> 'test' as boolean), false) as is_test,
        record ->> 'currency' as currency_code,
        record ->> 'financial_status' as financial_status,
        record ->> 'fulfillment_status' as fulfillment_status,
        {{ to_money("record ->> 'total_price'") }} as total_price_amount_local,
        {{ to_money("record ->> 'subtotal_price'") }} as subtotal_price_amount_local,
        coalesce({{ to_money("record ->> 'total_discounts'") }}, 0) as total_discounts_amount_local,
        {{ to_money("record ->> 'total_tax'") }} as total_tax_amount_local,
        _loaded_at as loaded_at

    from orders

),

final as (

    select
        extracted.order_id,
        'shopify:' || extracted.shop_domain as marketplace_id,
        extracted.shop_domain,
        extracted.order_name,
        extracted.created_at,
        {{ to_local_date('extracted.created_at', 'shops.time_zone') }} as created_local_date,
        -- the UTC calendar date: a plain cast, correct because profiles.yml pins the session
        -- to UTC (tests/assert_session_time_zone_is_utc.sql fails the build otherwise)
        cast(extracted.created_at as date) as created_utc_date,
        extracted.updated_at,
        extracted.processed_at,
        extracted.cancelled_at,
        extracted.closed_at,
        extracted.cancel_reason,
        extracted.cancelled_at is not null as is_cancelled,
        extracted.is_test,
        coalesce(extracted.currency_code, shops.currency_code) as currency_code,
        extracted.financial_status,
        extracted.fulfillment_status,
        extracted.total_price_amount_local,
        extracted.subtotal_price_amount_local,
        extracted.total_discounts_amount_local,
        extracted.total_tax_amount_local,
        shops.time_zone,
        extracted.loaded_at

    from extracted

    left join shops
        on extracted.shop_domain = shops.shop_domain

)

select * from final
