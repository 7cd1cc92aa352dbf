-- One row per Amazon order item (getOrderItems); ItemPrice is the line total (price x qty).
{{
    config(
        materialized="incremental",
        incremental_strategy="merge",
        unique_key=["amazon_order_id", "order_item_id"],
        on_schema_change="fail",
        post_hook=[
            "{{ delete_rows_missing_from_raw(source('amazon_sp', 'amazon_order_items'), ['amazon_order_id', 'order_item_id']) }}",
            "{{ save_incremental_state() }}",
        ],
    )
}}
{%- set plan = incremental_plan() %}
with

order_items as (

    select
        amazon_order_id,
        order_item_id,
        order_last_update_date,
        _record as record,
        _loaded_at

    from {{ source('amazon_sp', 'amazon_order_items') }}
    {% if plan.changes_only %}
    -- an incremental run: the raw rows landed (new or changed) since the last build
    where {{ loaded_since('_loaded_at', plan) }}
    {% endif %}

),

final as (

    select
        amazon_order_id,
        order_item_id,
        record ->> 'SellerSKU' as seller_sku,
        record ->> 'ASIN' as asin,
        coalesce(try_cast(record ->> 'QuantityOrdered' as integer), 0) as quantity_ordered,
        coalesce(try_cast(record ->> 'QuantityShipped' as integer), 0) as quantity_shipped,
        coalesce(
            record -> 'ItemPrice' ->> 'CurrencyCode',
            record -> 'PromotionDiscount' ->> 'CurrencyCode',
            record -> 'ItemTax' ->> 'CurrencyCode'
        ) as currency_code,
        {{ to_money("record -> 'ItemPrice' ->> 'Amount'") }} as item_price_amount_local,
        {{ to_money("record -> 'ItemTax' ->> 'Amount'") }} as item_tax_amount_local,
        {{ to_money("record -> 'PromotionDiscount' ->> 'Amount'") }}
            as promotion_discount_amount_local,
        {{ to_money("record -> 'ShippingPrice' ->> 'Amount'") }} as shipping_price_amount_local,
        cast(order_last_update_date as timestamptz) as order_last_updated_at,
        _loaded_at as loaded_at

    from order_items

)

select * from final
