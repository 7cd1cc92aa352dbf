-- One row per refunded line of a Shopify refund (orders[].refunds[].refund_line_items[]).
-- The refunded amount is the line's subtotal (after discounts, before tax); payloads without
-- one (the genuine refund.json) get quantity x the line item's price less the refunded share of
-- its total_discount.
with

orders as (

    select
        order_id,
        _record as record

    from {{ source('shopify', 'shopify_orders') }}

),

refunds as (

    select
        orders.order_id,
        orders.record ->> 'currency' as currency_code,
        refund.value as refund_record

    from orders,
        json_each(orders.record, '$.refunds') as refund

),

refund_lines as (

    select
        refunds.order_id,
        refunds.currency_code,
        refunds.refund_record ->> 'id' as refund_id,
        cast(refunds.refund_record ->> 'created_at' as timestamptz) as refunded_at,
        cast(refund_line.key as integer) as refund_line_index,
        refund_line.value as line_record,
        coalesce(try_cast(refund_line.value ->> 'quantity' as integer), 0) as quantity,
        try_cast(refund_line.value -> 'line_item' ->> 'quantity' as integer) as line_item_quantity

    from refunds,
        json_each(refunds.refund_record, '$.refund_line_items') as refund_line

),

final as (

    select
        refund_id,
        refund_line_index,
        line_record ->> 'id' as refund_line_item_id,
        order_id,
        refunded_at,
        line_record ->> 'line_item_id' as order_line_id,
        line_record -> 'line_item' ->> 'sku' as sku,
        quantity,
        currency_code,
        cast(coalesce(
            {{ to_money("line_record ->> 'subtotal'") }},
            {{ to_money("line_record -> 'line_item' ->> 'price'") }} * quantity
            - coalesce(
                {{ to_money("line_record -> 'line_item' ->> 'total_discount'") }}
                * quantity / nullif(line_item_quantity, 0),
                0
            ),
            0
        ) as decimal(18, 4)) as refund_amount_local,
        coalesce({{ to_money("line_record ->> 'total_tax'") }}, 0) as tax_amount_local

    from refund_lines

)

select * from final
