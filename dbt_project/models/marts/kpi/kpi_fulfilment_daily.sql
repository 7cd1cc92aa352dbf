-- One row per marketplace and local day of FIRST shipment (the marketplace's zone): orders
-- shipped that day and how many shipped by their deadline (Amazon LatestShipDate; Shopify
-- created_at + var shopify_handling_hours). Orders without a known deadline (an Amazon
-- shipment of an order not loaded) are counted apart and left out of the rates.
-- is_provisional: the day is within var fulfilment_settle_days of the marketplace's newest ship
-- day (the shipments report is re-pulled for 3 days; late-posted shipments still arrive).
with

shipments as (

    select
        marketplace_id,
        ship_local_date,
        order_id,
        has_ship_by,
        is_shipped_on_time

    from {{ ref('int_order_first_shipments') }}

),

summed as (

    select
        marketplace_id,
        ship_local_date as local_date,
        count(*) filter (where has_ship_by) as shipped_orders_count,
        count(*) filter (where has_ship_by and is_shipped_on_time) as shipped_on_time_count,
        count(*) filter (where has_ship_by and not is_shipped_on_time) as shipped_late_count,
        count(*) filter (where not has_ship_by) as shipped_without_deadline_count

    from shipments

    group by marketplace_id, ship_local_date

),

final as (

    select
        marketplace_id,
        local_date,
        shipped_orders_count,
        shipped_on_time_count,
        shipped_late_count,
        shipped_without_deadline_count,
        {{ ratio('shipped_on_time_count', 'shipped_orders_count') }} as on_time_shipment_rate,
        {{ ratio('shipped_late_count', 'shipped_orders_count') }} as late_shipment_rate,
        date_diff(
            'day', local_date, max(local_date) over (partition by marketplace_id)
        ) < {{ var('fulfilment_settle_days') }} as is_provisional

    from summed

)

select * from final
