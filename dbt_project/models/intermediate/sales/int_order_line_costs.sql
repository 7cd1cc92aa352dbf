-- One row per order line of every channel (the rows of int_order_lines_unioned) with the
-- landed cost of its units: the SKU's cost valid on the order's local day (seed sku_costs,
-- int_sku_cost_periods), converted to the reporting currency at that day's rate of the cost's
-- own currency. unit_cost is rounded to 4 places once, and every cost figure downstream is
-- units x unit_cost, so the sales and inventory marts agree to the cent. A line whose SKU has
-- no cost that day (or whose cost currency has no rate) has has_cost = false and NULL costs.
with

order_lines as (

    select
        channel,
        marketplace_id,
        order_id,
        order_line_id,
        sku,
        quantity,
        gross_amount_local,
        discount_amount_local,
        order_local_date,
        is_cancelled,
        is_test

    from {{ ref('int_order_lines_unioned') }}

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

costed as (

    select
        order_lines.*,
        cost_periods.currency_code as cost_currency_code,
        cost_periods.unit_cost_local,
        case
            when cost_periods.currency_code = '{{ var("reporting_currency") }}' then 1.0
            else fx_rates.rate
        end as cost_fx_rate

    from order_lines

    left join cost_periods
        on order_lines.sku = cost_periods.seller_sku
        and order_lines.order_local_date >= cost_periods.valid_from
        and (
            cost_periods.valid_until is null
            or order_lines.order_local_date < cost_periods.valid_until
        )

    left join fx_rates
        on cost_periods.currency_code = fx_rates.currency_code
        and order_lines.order_local_date = fx_rates.rate_date

),

converted as (

    select
        *,
        {{ to_reporting_currency('unit_cost_local', 'cost_fx_rate') }} as unit_cost

    from costed

),

final as (

    select
        channel,
        marketplace_id,
        order_id,
        order_line_id,
        sku,
        quantity,
        gross_amount_local,
        discount_amount_local,
        order_local_date,
        is_cancelled,
        is_test,
        cost_currency_code,
        unit_cost_local,
        cost_fx_rate,
        unit_cost,
        cast(quantity * unit_cost as decimal(18, 4)) as line_cost,
        unit_cost is not null as has_cost

    from converted

)

select * from final
