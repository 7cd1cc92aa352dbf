-- One row per Amazon order item (getOrderItems); ItemPrice is the line total (price x qty).
with

order_items as (

    select
        amazon_order_id,
        order_item_id,
        order_last_update_date,
        _record as record,
        _loaded_at

    from {{ source('amazon_sp', 'amazon_order_items') }}

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
