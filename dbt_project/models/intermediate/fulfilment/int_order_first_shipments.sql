-- One row per shipped order of every channel: when it first shipped, its ship-by deadline
-- and whether it shipped on time. Amazon: first shipment-date of the FBA shipments report
-- against the order's LatestShipDate. Shopify: first fulfillment (void ones ignored) against
-- created_at + var shopify_handling_hours. Test orders are left out.
with

amazon_shipments as (

    select
        amazon_order_id,
        shipped_at,
        requested_marketplace_id

    from {{ ref('stg_amazon_sp__shipments') }}

    where shipped_at is not null

),

shopify_fulfillments as (

    select
        order_id,
        created_at

    from {{ ref('stg_shopify__fulfillments') }}

    where not is_void

),

orders as (

    select
        channel,
        marketplace_id,
        order_id,
        ordered_at,
        ship_by_at,
        is_test

    from {{ ref('int_orders_unioned') }}

),

marketplaces as (

    select
        marketplace_id,
        time_zone

    from {{ ref('int_marketplaces') }}

),

amazon_first_shipments as (

    select
        'amazon' as channel,
        amazon_order_id as order_id,
        min(requested_marketplace_id) as requested_marketplace_id,
        min(shipped_at) as first_shipped_at

    from amazon_shipments

    group by amazon_order_id

),

shopify_first_shipments as (

    select
        'shopify' as channel,
        order_id,
        cast(null as varchar) as requested_marketplace_id,
        min(created_at) as first_shipped_at

    from shopify_fulfillments

    group by order_id

),

first_shipments as (

    select * from amazon_first_shipments

    union all

    select * from shopify_first_shipments

),

joined as (

    select
        first_shipments.channel,
        coalesce(orders.marketplace_id, first_shipments.requested_marketplace_id)
            as marketplace_id,
        first_shipments.order_id,
        orders.ordered_at,
        orders.ship_by_at,
        first_shipments.first_shipped_at,
        coalesce(orders.is_test, false) as is_test

    from first_shipments

    left join orders
        on first_shipments.channel = orders.channel
        and first_shipments.order_id = orders.order_id

),

final as (

    select
        joined.channel,
        joined.marketplace_id,
        joined.order_id,
        joined.ordered_at,
        joined.ship_by_at,
        joined.first_shipped_at,
        {{ to_local_date('joined.first_shipped_at', 'marketplaces.time_zone') }}
            as ship_local_date,
        joined.ship_by_at is not null as has_ship_by,
        joined.first_shipped_at <= joined.ship_by_at as is_shipped_on_time

    from joined

    left join marketplaces
        on joined.marketplace_id = marketplaces.marketplace_id

    where not joined.is_test

)

select * from final
