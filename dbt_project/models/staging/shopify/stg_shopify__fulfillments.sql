-- One row per fulfillment of a Shopify order (orders[].fulfillments[]).
with

orders as (

    select
        order_id,
        _record as record

    from {{ source('shopify', 'shopify_orders') }}

),

final as (

    select
        coalesce(
            fulfillment.value ->> 'id', orders.order_id || ':' || fulfillment.key
        ) as fulfillment_id,
        orders.order_id,
        cast(fulfillment.value ->> 'created_at' as timestamptz) as created_at,
        try_cast(fulfillment.value ->> 'updated_at' as timestamptz) as updated_at,
        fulfillment.value ->> 'status' as fulfillment_status,
        fulfillment.value ->> 'status' in ('cancelled', 'error', 'failure') as is_void

    from orders,
        json_each(orders.record, '$.fulfillments') as fulfillment

)

select * from final
