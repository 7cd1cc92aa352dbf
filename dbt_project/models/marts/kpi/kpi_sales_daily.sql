-- One row per marketplace and local day (the marketplace's IANA zone), every day from the
-- marketplace's first to its last order or refund day, days without orders included.
-- Order columns count the orders PLACED that day (non-test; cancelled ones only in
-- placed/cancelled counts); refunded_amount is the refunds of those orders, whenever they were
-- paid (by ORDER date: it grows as refunds arrive); the *_by_refund_date columns are the cash
-- view, refunds paid that day whatever the order day. Amounts in the reporting currency
-- (var reporting_currency) at each day's rate, with `_local` companions in currency_code.
-- is_provisional: the day is within var sales_settle_days of the marketplace's newest order day
-- (refunds and cancellations still arrive and the nightly re-pull still rewrites it).
with

orders as (

    select
        marketplace_id,
        order_id,
        channel,
        order_local_date,
        is_cancelled,
        is_test,
        units_count,
        gross_amount_local,
        discount_amount_local,
        gross_amount,
        discount_amount

    from {{ ref('int_orders_unioned') }}

),

refunds as (

    select
        marketplace_id,
        channel,
        order_id,
        refund_id,
        quantity,
        refund_local_date,
        order_local_date,
        is_order_known,
        is_order_cancelled,
        is_order_test,
        refund_amount_local,
        refund_amount

    from {{ ref('int_refunds_unioned') }}

),

marketplaces as (

    select
        marketplace_id,
        currency_code

    from {{ ref('int_marketplaces') }}

),

orders_by_day as (

    select
        marketplace_id,
        order_local_date as local_date,
        count(*) filter (where not is_cancelled) as orders_count,
        count(*) as placed_orders_count,
        count(*) filter (where is_cancelled) as cancelled_orders_count,
        coalesce(sum(units_count) filter (where not is_cancelled), 0) as units_count,
        coalesce(sum(gross_amount) filter (where not is_cancelled), 0) as gmv,
        coalesce(sum(discount_amount) filter (where not is_cancelled), 0) as discounts,
        coalesce(sum(gross_amount_local) filter (where not is_cancelled), 0) as gmv_local,
        coalesce(sum(discount_amount_local) filter (where not is_cancelled), 0)
            as discounts_local

    from orders

    where not is_test

    group by marketplace_id, order_local_date

),

-- refunds of the orders counted in gmv, on the day those orders were placed
refunds_by_order_day as (

    select
        marketplace_id,
        order_local_date as local_date,
        count(distinct order_id) as refunded_orders_count,
        sum(refund_amount) as refunded_amount,
        sum(refund_amount_local) as refunded_amount_local

    from refunds

    where is_order_known and not is_order_cancelled and not is_order_test

    group by marketplace_id, order_local_date

),

-- every refund paid that day (orders outside the loaded history included), test orders' not
refunds_by_refund_day as (

    select
        marketplace_id,
        refund_local_date as local_date,
        count(distinct channel || ':' || refund_id) as refunds_count_by_refund_date,
        coalesce(sum(quantity), 0) as refunded_units_by_refund_date,
        sum(refund_amount) as refund_amount_by_refund_date,
        sum(refund_amount_local) as refund_amount_local_by_refund_date

    from refunds

    where not is_order_test

    group by marketplace_id, refund_local_date

),

active_days as (

    select marketplace_id, local_date from orders_by_day

    union all

    select marketplace_id, local_date from refunds_by_refund_day

),

newest_order_days as (

    select
        marketplace_id,
        max(order_local_date) as newest_order_date

    from orders

    group by marketplace_id

),

marketplace_bounds as (

    select
        marketplace_id,
        min(local_date) as first_date,
        max(local_date) as last_date

    from active_days

    where local_date is not null

    group by marketplace_id

),

spine as (

    select
        marketplace_bounds.marketplace_id,
        cast(calendar.calendar_day as date) as local_date,
        marketplace_bounds.last_date

    from marketplace_bounds,
        unnest(generate_series(
            marketplace_bounds.first_date, marketplace_bounds.last_date, interval 1 day
        )) as calendar (calendar_day)

),

joined as (

    select
        spine.marketplace_id,
        spine.local_date,
        marketplaces.currency_code,
        coalesce(orders_by_day.orders_count, 0) as orders_count,
        coalesce(orders_by_day.placed_orders_count, 0) as placed_orders_count,
        coalesce(orders_by_day.cancelled_orders_count, 0) as cancelled_orders_count,
        coalesce(orders_by_day.units_count, 0) as units_count,
        cast(coalesce(orders_by_day.gmv, 0) as decimal(18, 4)) as gmv,
        cast(coalesce(orders_by_day.discounts, 0) as decimal(18, 4)) as discounts,
        cast(coalesce(refunds_by_order_day.refunded_amount, 0) as decimal(18, 4))
            as refunded_amount,
        coalesce(refunds_by_order_day.refunded_orders_count, 0) as refunded_orders_count,
        cast(coalesce(orders_by_day.gmv_local, 0) as decimal(18, 4)) as gmv_local,
        cast(coalesce(orders_by_day.discounts_local, 0) as decimal(18, 4)) as discounts_local,
        cast(coalesce(refunds_by_order_day.refunded_amount_local, 0) as decimal(18, 4))
            as refunded_amount_local,
        coalesce(refunds_by_refund_day.refunds_count_by_refund_date, 0)
            as refunds_count_by_refund_date,
        coalesce(refunds_by_refund_day.refunded_units_by_refund_date, 0)
            as refunded_units_by_refund_date,
        cast(coalesce(refunds_by_refund_day.refund_amount_by_refund_date, 0) as decimal(18, 4))
            as refund_amount_by_refund_date,
        cast(
            coalesce(refunds_by_refund_day.refund_amount_local_by_refund_date, 0)
            as decimal(18, 4)
        ) as refund_amount_local_by_refund_date,
        -- a marketplace with refunds but no order loaded settles against its newest refund day
        date_diff(
            'day',
            spine.local_date,
            coalesce(newest_order_days.newest_order_date, spine.last_date)
        ) < {{ var('sales_settle_days') }} as is_provisional

    from spine

    left join marketplaces
        on spine.marketplace_id = marketplaces.marketplace_id

    left join newest_order_days
        on spine.marketplace_id = newest_order_days.marketplace_id

    left join orders_by_day
        on spine.marketplace_id = orders_by_day.marketplace_id
        and spine.local_date = orders_by_day.local_date

    left join refunds_by_order_day
        on spine.marketplace_id = refunds_by_order_day.marketplace_id
        and spine.local_date = refunds_by_order_day.local_date

    left join refunds_by_refund_day
        on spine.marketplace_id = refunds_by_refund_day.marketplace_id
        and spine.local_date = refunds_by_refund_day.local_date

),

final as (

    select
        marketplace_id,
        local_date,
        currency_code,
        orders_count,
        placed_orders_count,
        cancelled_orders_count,
        units_count,
        gmv,
        discounts,
        refunded_amount,
        gmv - discounts - refunded_amount as net_sales,
        refunded_orders_count,
        {{ ratio('refunded_orders_count', 'orders_count') }} as refund_rate,
        {{ ratio('gmv', 'orders_count') }} as aov,
        {{ ratio('cancelled_orders_count', 'placed_orders_count') }} as cancellation_rate,
        orders_count = 0 as has_no_orders,
        gmv_local,
        discounts_local,
        refunded_amount_local,
        gmv_local - discounts_local - refunded_amount_local as net_sales_local,
        refunds_count_by_refund_date,
        refunded_units_by_refund_date,
        refund_amount_by_refund_date,
        refund_amount_local_by_refund_date,
        is_provisional

    from joined

)

select * from final
