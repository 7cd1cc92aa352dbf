-- One row per Amazon marketplace, seller SKU and day of inventory history: sellable units on
-- hand, units sold that local day, and trailing 30-day (the day and the 29 before) sums.
-- Units sold per day = trailing 30-day units sold / 30. No sale in the window: turnover days
-- and days of supply are NULL (never 0 or infinity) and is_dead_stock is set when units remain.
-- is_provisional: the day is within var inventory_settle_days of the marketplace's newest
-- inventory day (the ledger is re-pulled for 3 days and its newest days still change).
with

on_hand as (

    select
        marketplace_id,
        seller_sku,
        inventory_date,
        on_hand_units,
        on_hand_source

    from {{ ref('int_inventory_on_hand_daily') }}

),

order_lines as (

    select
        marketplace_id,
        sku,
        order_local_date,
        quantity

    from {{ ref('int_order_lines_unioned') }}

    where channel = 'amazon' and not is_cancelled and not is_test

),

units_sold_by_day as (

    select
        marketplace_id,
        sku as seller_sku,
        order_local_date as local_date,
        sum(quantity) as units_sold

    from order_lines

    group by marketplace_id, sku, order_local_date

),

trailing_sums as (

    select
        on_hand.marketplace_id,
        on_hand.seller_sku,
        on_hand.inventory_date as local_date,
        on_hand.on_hand_units,
        on_hand.on_hand_source,
        coalesce(sold_today.units_sold, 0) as units_sold,
        (
            select coalesce(sum(sold.units_sold), 0)
            from units_sold_by_day as sold
            where
                sold.marketplace_id = on_hand.marketplace_id
                and sold.seller_sku = on_hand.seller_sku
                and sold.local_date > on_hand.inventory_date - 30
                and sold.local_date <= on_hand.inventory_date
        ) as trailing_30d_units_sold,
        sum(on_hand.on_hand_units) over trailing_window as trailing_30d_on_hand_units_sum,
        count(on_hand.on_hand_units) over trailing_window as trailing_30d_inventory_days_count

    from on_hand

    left join units_sold_by_day as sold_today
        on on_hand.marketplace_id = sold_today.marketplace_id
        and on_hand.seller_sku = sold_today.seller_sku
        and on_hand.inventory_date = sold_today.local_date

    window trailing_window as (
        partition by on_hand.marketplace_id, on_hand.seller_sku
        order by on_hand.inventory_date
        range between interval 29 days preceding and current row
    )

),

final as (

    select
        marketplace_id,
        seller_sku,
        local_date,
        on_hand_units,
        on_hand_source,
        units_sold,
        trailing_30d_units_sold,
        trailing_30d_on_hand_units_sum,
        trailing_30d_inventory_days_count,
        {{ ratio('trailing_30d_on_hand_units_sum', 'trailing_30d_inventory_days_count') }}
            as trailing_30d_avg_on_hand_units,
        trailing_30d_units_sold / 30.0 as units_sold_per_day,
        {{ ratio(
            ratio('trailing_30d_on_hand_units_sum', 'trailing_30d_inventory_days_count'),
            'trailing_30d_units_sold / 30.0'
        ) }} as inventory_turnover_days,
        {{ ratio('on_hand_units', 'trailing_30d_units_sold / 30.0') }} as days_of_supply,
        on_hand_units = 0 as is_stock_out,
        trailing_30d_units_sold = 0 and on_hand_units > 0 as is_dead_stock,
        date_diff(
            'day', local_date, max(local_date) over (partition by marketplace_id)
        ) < {{ var('inventory_settle_days') }} as is_provisional

    from trailing_sums

)

select * from final
