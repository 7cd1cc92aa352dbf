-- One row per marketplace and local day (the marketplace's IANA zone), every day from the
-- marketplace's first to its last order or refund day, days without orders included.
-- Order columns count the orders PLACED that day (non-test; cancelled ones only in
-- placed/cancelled counts); refunded_amount is the refunds of those orders, whenever they were
-- paid (by ORDER date: it grows as refunds arrive); the *_by_refund_date columns are the cash
-- view, refunds paid that day whatever the order day. Amounts in the reporting currency
-- (var reporting_currency) at each day's rate, with `_local` companions in currency_code.
-- Margin (order-date view, reporting currency) is computed over the units whose SKU has a
-- landed cost that day (seed sku_costs): cogs is their cost less the cost of their refunded
-- units, net_sales_with_cost their net sales, gross_margin the difference; units without a cost
-- are counted beside it (units_without_cost_count, cost_coverage_rate, has_unknown_cost), so a
-- partly costed day is never read as the whole day's margin.
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
        fx_rate,
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
        sku,
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

line_costs as (

    select
        channel,
        order_id,
        sku,
        quantity,
        gross_amount_local,
        discount_amount_local,
        unit_cost,
        line_cost,
        has_cost

    from {{ ref('int_order_line_costs') }}

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

-- per order, the lines whose SKU has a cost: their units, gross, line discounts and cost
order_line_cost_parts as (

    select
        channel,
        order_id,
        coalesce(sum(quantity) filter (where has_cost), 0) as units_with_cost,
        coalesce(sum(quantity) filter (where not has_cost), 0) as units_without_cost,
        count(*) filter (where not has_cost) as lines_without_cost_count,
        count(*) filter (where has_cost) as lines_with_cost_count,
        coalesce(sum(gross_amount_local) filter (where has_cost), 0) as gross_with_cost_local,
        coalesce(sum(discount_amount_local) filter (where has_cost), 0)
            as line_discount_with_cost_local,
        coalesce(sum(discount_amount_local), 0) as line_discount_local,
        coalesce(sum(line_cost), 0) as cost_of_units_sold

    from line_costs

    group by channel, order_id

),

-- the costed part of each order's sales. A fully costed order keeps its own converted amounts
-- (so a fully costed day has net_sales_with_cost = net_sales exactly); an order with no costed
-- line contributes nothing; a mixed order gets its costed lines' gross and line discounts plus
-- the order-level discount not allocated to lines (Shopify codes without allocations) in
-- proportion to their gross (to their units when the order's gross is 0).
mixed_order_shares as (

    select
        orders.channel,
        orders.order_id,
        parts.line_discount_with_cost_local
        + (orders.discount_amount_local - parts.line_discount_local)
        * coalesce(
            {{ ratio('parts.gross_with_cost_local', 'orders.gross_amount_local') }},
            {{ ratio('parts.units_with_cost', 'orders.units_count') }},
            0
        ) as discount_with_cost_local

    from orders

    inner join order_line_cost_parts as parts
        on orders.channel = parts.channel
        and orders.order_id = parts.order_id

    where parts.lines_with_cost_count > 0 and parts.lines_without_cost_count > 0

),

order_costs as (

    select
        orders.marketplace_id,
        orders.order_local_date,
        coalesce(parts.units_with_cost, 0) as units_with_cost,
        coalesce(parts.units_without_cost, 0) as units_without_cost,
        coalesce(parts.cost_of_units_sold, 0) as cost_of_units_sold,
        case
            when coalesce(parts.lines_without_cost_count, 0) = 0 then orders.gross_amount
            when parts.lines_with_cost_count = 0 then 0
            else {{ to_reporting_currency('parts.gross_with_cost_local', 'orders.fx_rate') }}
        end as gmv_with_cost,
        case
            when coalesce(parts.lines_without_cost_count, 0) = 0 then orders.discount_amount
            when parts.lines_with_cost_count = 0 then 0
            else {{ to_reporting_currency(
                'mixed_order_shares.discount_with_cost_local', 'orders.fx_rate'
            ) }}
        end as discounts_with_cost

    from orders

    left join order_line_cost_parts as parts
        on orders.channel = parts.channel
        and orders.order_id = parts.order_id

    left join mixed_order_shares
        on orders.channel = mixed_order_shares.channel
        and orders.order_id = mixed_order_shares.order_id

    where not orders.is_cancelled and not orders.is_test

),

order_costs_by_day as (

    select
        marketplace_id,
        order_local_date as local_date,
        sum(units_with_cost) as units_with_cost_count,
        sum(units_without_cost) as units_without_cost_count,
        sum(cost_of_units_sold) as cost_of_units_sold,
        sum(gmv_with_cost) as gmv_with_cost,
        sum(discounts_with_cost) as discounts_with_cost

    from order_costs

    group by marketplace_id, order_local_date

),

-- the unit cost each order's SKU was sold at (lines of one order and SKU share the order day,
-- hence one cost): a refunded unit takes back exactly the cost its sale booked
order_sku_unit_costs as (

    select
        channel,
        order_id,
        sku,
        max(unit_cost) as unit_cost

    from line_costs

    where has_cost

    group by channel, order_id, sku

),

-- refunds of the orders counted in gmv, on their order day: the costed ones' amount and cost
refund_costs_by_order_day as (

    select
        refunds.marketplace_id,
        refunds.order_local_date as local_date,
        sum(refunds.refund_amount) filter (where order_sku_unit_costs.unit_cost is not null)
            as refunded_amount_with_cost,
        sum(refunds.quantity * order_sku_unit_costs.unit_cost) as refunded_cost,
        count(*) filter (where order_sku_unit_costs.unit_cost is null)
            as refund_lines_without_cost_count

    from refunds

    left join order_sku_unit_costs
        on refunds.channel = order_sku_unit_costs.channel
        and refunds.order_id = order_sku_unit_costs.order_id
        and refunds.sku = order_sku_unit_costs.sku

    where refunds.is_order_known and not refunds.is_order_cancelled and not refunds.is_order_test

    group by refunds.marketplace_id, refunds.order_local_date

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
        coalesce(order_costs_by_day.units_with_cost_count, 0) as units_with_cost_count,
        coalesce(order_costs_by_day.units_without_cost_count, 0) as units_without_cost_count,
        cast(
            coalesce(order_costs_by_day.gmv_with_cost, 0)
            - coalesce(order_costs_by_day.discounts_with_cost, 0)
            - coalesce(refund_costs_by_order_day.refunded_amount_with_cost, 0)
            as decimal(18, 4)
        ) as net_sales_with_cost,
        cast(
            coalesce(order_costs_by_day.cost_of_units_sold, 0)
            - coalesce(refund_costs_by_order_day.refunded_cost, 0)
            as decimal(18, 4)
        ) as cogs,
        coalesce(order_costs_by_day.units_without_cost_count, 0) > 0
        or coalesce(refund_costs_by_order_day.refund_lines_without_cost_count, 0) > 0
            as has_unknown_cost,
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

    left join order_costs_by_day
        on spine.marketplace_id = order_costs_by_day.marketplace_id
        and spine.local_date = order_costs_by_day.local_date

    left join refund_costs_by_order_day
        on spine.marketplace_id = refund_costs_by_order_day.marketplace_id
        and spine.local_date = refund_costs_by_order_day.local_date

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
        units_with_cost_count,
        units_without_cost_count,
        {{ ratio('units_with_cost_count', 'units_count') }} as cost_coverage_rate,
        has_unknown_cost,
        net_sales_with_cost,
        cogs,
        cast(net_sales_with_cost - cogs as decimal(18, 4)) as gross_margin,
        {{ ratio('net_sales_with_cost - cogs', 'net_sales_with_cost') }} as margin_rate,
        is_provisional

    from joined

)

select * from final
