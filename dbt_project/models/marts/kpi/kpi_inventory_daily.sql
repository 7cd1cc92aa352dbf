-- One row per Amazon marketplace, seller SKU and day of inventory history: sellable units on
-- hand, units sold that local day, and trailing 30-day (the day and the 29 before) sums, on a
-- unit basis and on a cost basis (landed unit cost from the seed sku_costs, valid that day,
-- converted to the reporting currency at that day's rate).
-- Units sold per day = trailing 30-day units sold / 30. No sale in the window: turnover days,
-- turnover ratios and days of supply are NULL (never 0 or infinity) and is_dead_stock is set
-- when units remain. Cost-basis ratios are NULL as well while any on-hand day or sold unit of
-- the window has no cost (has_unknown_cost). The additive parts stay beside every ratio.
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

cost_periods as (

    select
        seller_sku,
        currency_code,
        unit_cost_local,
        valid_from,
        valid_until

    from {{ ref('int_sku_cost_periods') }}

),

fx_rates as (

    select
        currency_code,
        rate_date,
        rate

    from {{ ref('int_fx_rates_daily') }}

),

-- Amazon order lines with their landed cost (the cost valid on the order's local day)
sold_lines as (

    select
        marketplace_id,
        sku,
        order_local_date,
        quantity,
        line_cost,
        has_cost

    from {{ ref('int_order_line_costs') }}

    where channel = 'amazon' and not is_cancelled and not is_test

),

sold_by_day as (

    select
        marketplace_id,
        sku as seller_sku,
        order_local_date as local_date,
        sum(quantity) as units_sold,
        coalesce(sum(quantity) filter (where not has_cost), 0) as units_sold_without_cost,
        coalesce(sum(line_cost), 0) as cogs

    from sold_lines

    group by marketplace_id, sku, order_local_date

),

-- the unit cost valid on each inventory day and that day's rate of the cost's currency
costed_days as (

    select
        on_hand.marketplace_id,
        on_hand.seller_sku,
        on_hand.inventory_date,
        on_hand.on_hand_units,
        on_hand.on_hand_source,
        cost_periods.unit_cost_local,
        case
            when cost_periods.currency_code = '{{ var("reporting_currency") }}' then 1.0
            else fx_rates.rate
        end as cost_fx_rate

    from on_hand

    left join cost_periods
        on on_hand.seller_sku = cost_periods.seller_sku
        and on_hand.inventory_date >= cost_periods.valid_from
        and (
            cost_periods.valid_until is null
            or on_hand.inventory_date < cost_periods.valid_until
        )

    left join fx_rates
        on cost_periods.currency_code = fx_rates.currency_code
        and on_hand.inventory_date = fx_rates.rate_date

),

valued as (

    select
        marketplace_id,
        seller_sku,
        inventory_date,
        on_hand_units,
        on_hand_source,
        {{ to_reporting_currency('unit_cost_local', 'cost_fx_rate') }} as unit_cost

    from costed_days

),

daily as (

    select
        valued.marketplace_id,
        valued.seller_sku,
        valued.inventory_date as local_date,
        valued.on_hand_units,
        valued.on_hand_source,
        valued.unit_cost,
        cast(valued.on_hand_units * valued.unit_cost as decimal(18, 4)) as on_hand_value,
        coalesce(sold_today.units_sold, 0) as units_sold,
        coalesce(sold_today.units_sold_without_cost, 0) as units_sold_without_cost,
        cast(coalesce(sold_today.cogs, 0) as decimal(18, 4)) as cogs

    from valued

    left join sold_by_day as sold_today
        on valued.marketplace_id = sold_today.marketplace_id
        and valued.seller_sku = sold_today.seller_sku
        and valued.inventory_date = sold_today.local_date

),

-- sales of the window, including days before the SKU's first inventory day
trailing_sales as (

    select
        daily.marketplace_id,
        daily.seller_sku,
        daily.local_date,
        coalesce(sum(sold.units_sold), 0) as trailing_30d_units_sold,
        coalesce(sum(sold.units_sold_without_cost), 0) as trailing_30d_units_sold_without_cost,
        cast(coalesce(sum(sold.cogs), 0) as decimal(18, 4)) as trailing_30d_cogs

    from daily

    left join sold_by_day as sold
        on daily.marketplace_id = sold.marketplace_id
        and daily.seller_sku = sold.seller_sku
        and sold.local_date > daily.local_date - 30
        and sold.local_date <= daily.local_date

    group by daily.marketplace_id, daily.seller_sku, daily.local_date

),

trailing_sums as (

    select
        daily.*,
        trailing_sales.trailing_30d_units_sold,
        trailing_sales.trailing_30d_units_sold_without_cost,
        trailing_sales.trailing_30d_cogs,
        sum(daily.on_hand_units) over trailing_window as trailing_30d_on_hand_units_sum,
        count(daily.on_hand_units) over trailing_window as trailing_30d_inventory_days_count,
        sum(case when daily.on_hand_units = 0 then 1 else 0 end) over trailing_window
            as trailing_30d_stock_out_days,
        coalesce(sum(daily.on_hand_value) over trailing_window, 0)
            as trailing_30d_on_hand_value_sum,
        count(daily.on_hand_value) over trailing_window as trailing_30d_valued_days_count

    from daily

    inner join trailing_sales
        on daily.marketplace_id = trailing_sales.marketplace_id
        and daily.seller_sku = trailing_sales.seller_sku
        and daily.local_date = trailing_sales.local_date

    window trailing_window as (
        partition by daily.marketplace_id, daily.seller_sku
        order by daily.local_date
        range between interval 29 days preceding and current row
    )

),

flagged as (

    select
        *,
        trailing_30d_units_sold > 0 as has_sales_in_window,
        trailing_30d_valued_days_count < trailing_30d_inventory_days_count
        or trailing_30d_units_sold_without_cost > 0 as has_unknown_cost,
        case
            when trailing_30d_valued_days_count = trailing_30d_inventory_days_count
                then {{ ratio(
                    'trailing_30d_on_hand_value_sum', 'trailing_30d_inventory_days_count'
                ) }}
        end as trailing_30d_avg_on_hand_value

    from trailing_sums

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
        case
            when has_sales_in_window
                then {{ ratio(
                    'trailing_30d_units_sold',
                    ratio('trailing_30d_on_hand_units_sum', 'trailing_30d_inventory_days_count')
                ) }}
        end as turnover_ratio,
        trailing_30d_stock_out_days,
        unit_cost,
        on_hand_value,
        cogs,
        units_sold_without_cost,
        trailing_30d_cogs,
        trailing_30d_units_sold_without_cost,
        cast(trailing_30d_on_hand_value_sum as decimal(18, 4)) as trailing_30d_on_hand_value_sum,
        trailing_30d_valued_days_count,
        trailing_30d_avg_on_hand_value,
        case
            when has_sales_in_window and not has_unknown_cost
                then {{ ratio('trailing_30d_avg_on_hand_value', 'trailing_30d_cogs / 30.0') }}
        end as inventory_turnover_days_cost,
        case
            when has_sales_in_window and not has_unknown_cost
                then {{ ratio('trailing_30d_cogs', 'trailing_30d_avg_on_hand_value') }}
        end as turnover_ratio_cost,
        has_unknown_cost,
        date_diff(
            'day', local_date, max(local_date) over (partition by marketplace_id)
        ) < {{ var('inventory_settle_days') }} as is_provisional

    from flagged

)

select * from final
