-- One row per refunded line of every channel (Amazon refund event items, Shopify refund
-- lines) in one shape: the refund's local date and its order's local date, the refunded
-- product amount (Amazon Principal; Shopify line subtotal; tax excluded on both) converted at
-- the rate of the REFUND's local date.
with

amazon_refunds as (

    select
        refund_event_id,
        adjustment_item_index,
        amazon_order_id,
        posted_at,
        marketplace_id_from_name,
        seller_sku,
        quantity_refunded,
        currency_code,
        principal_amount_local

    from {{ ref('stg_amazon_sp__refund_events') }}

),

shopify_refunds as (

    select
        refund_id,
        refund_line_index,
        order_id,
        refunded_at,
        sku,
        quantity,
        currency_code,
        refund_amount_local

    from {{ ref('stg_shopify__refunds') }}

),

shopify_orders as (

    select
        order_id,
        marketplace_id

    from {{ ref('stg_shopify__orders') }}

),

orders as (

    select
        channel,
        order_id,
        marketplace_id,
        order_local_date,
        is_cancelled,
        is_test

    from {{ ref('int_orders_unioned') }}

),

marketplaces as (

    select
        marketplace_id,
        currency_code,
        time_zone

    from {{ ref('int_marketplaces') }}

),

fx_rates as (

    select
        currency_code,
        rate_date,
        rate

    from {{ ref('int_fx_rates_daily') }}

),

amazon as (

    select
        'amazon' as channel,
        coalesce(orders.marketplace_id, amazon_refunds.marketplace_id_from_name)
            as marketplace_id,
        amazon_refunds.refund_event_id as refund_id,
        cast(amazon_refunds.adjustment_item_index as varchar) as refund_line_id,
        amazon_refunds.amazon_order_id as order_id,
        amazon_refunds.seller_sku as sku,
        amazon_refunds.quantity_refunded as quantity,
        amazon_refunds.posted_at as refunded_at,
        amazon_refunds.currency_code,
        amazon_refunds.principal_amount_local as refund_amount_local

    from amazon_refunds

    left join orders
        on orders.channel = 'amazon'
        and amazon_refunds.amazon_order_id = orders.order_id

),

shopify as (

    select
        'shopify' as channel,
        shopify_orders.marketplace_id,
        shopify_refunds.refund_id,
        cast(shopify_refunds.refund_line_index as varchar) as refund_line_id,
        shopify_refunds.order_id,
        shopify_refunds.sku,
        shopify_refunds.quantity,
        shopify_refunds.refunded_at,
        shopify_refunds.currency_code,
        shopify_refunds.refund_amount_local

    from shopify_refunds

    inner join shopify_orders
        on shopify_refunds.order_id = shopify_orders.order_id

),

unioned as (

    select * from amazon

    union all

    select * from shopify

),

dated as (

    select
        unioned.channel,
        unioned.marketplace_id,
        unioned.refund_id,
        unioned.refund_line_id,
        unioned.order_id,
        unioned.sku,
        unioned.quantity,
        unioned.refunded_at,
        {{ to_local_date('unioned.refunded_at', 'marketplaces.time_zone') }}
            as refund_local_date,
        orders.order_local_date,
        orders.order_id is not null as is_order_known,
        coalesce(orders.is_cancelled, false) as is_order_cancelled,
        coalesce(orders.is_test, false) as is_order_test,
        coalesce(unioned.currency_code, marketplaces.currency_code) as currency_code,
        unioned.refund_amount_local

    from unioned

    left join marketplaces
        on unioned.marketplace_id = marketplaces.marketplace_id

    left join orders
        on unioned.channel = orders.channel
        and unioned.order_id = orders.order_id

),

converted as (

    select
        dated.*,
        case
            when dated.currency_code = '{{ var("reporting_currency") }}' then 1.0
            else fx_rates.rate
        end as fx_rate

    from dated

    left join fx_rates
        on dated.currency_code = fx_rates.currency_code
        and dated.refund_local_date = fx_rates.rate_date

),

final as (

    select
        channel,
        marketplace_id,
        refund_id,
        refund_line_id,
        order_id,
        sku,
        quantity,
        refunded_at,
        refund_local_date,
        order_local_date,
        is_order_known,
        is_order_cancelled,
        is_order_test,
        currency_code,
        refund_amount_local,
        fx_rate,
        {{ to_reporting_currency('refund_amount_local', 'fx_rate') }} as refund_amount

    from converted

)

select * from final
