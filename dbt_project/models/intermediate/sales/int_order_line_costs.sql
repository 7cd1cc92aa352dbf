-- One row per order line of every channel (the rows of int_order_lines_unioned) with the
-- landed cost of its units: the SKU's cost valid on the order's local day (seed sku_costs,
-- int_sku_cost_periods), converted to the reporting currency at that day's rate of the cost's
-- own currency. unit_cost is rounded to 4 places once, and every cost figure downstream is
-- units x unit_cost, so the sales and inventory marts agree to the cent. A line whose SKU has
-- no cost that day (or whose cost currency has no rate) has has_cost = false and NULL costs.
-- depends_on: {{ ref('stg_amazon_sp__orders') }}
-- depends_on: {{ ref('stg_amazon_sp__order_items') }}
-- depends_on: {{ ref('stg_shopify__orders') }}
{{
    config(
        materialized="incremental",
        incremental_strategy="replace_scope",
        unique_key=["channel", "order_id"],
        post_hook=["{{ save_incremental_state() }}"],
    )
}}
{%- set plan = incremental_plan() %}
with

{% if is_incremental() -%}
-- an incremental run rebuilds whole orders: those landed since the last build, those whose
-- cost was converted at a rate since restated, those that lost a line, and the replayed days
-- (a changed sku_costs seed rebuilds the whole table)
scopes as (

    {% if plan.changes_only -%}
    {{ orders_landed_since(plan) }}

    union

    {{ orders_with_stale_rates('cost_fx_rate', 'cost_currency_code') }}

    union

    select stored.channel, stored.order_id
    from {{ this }} as stored
    where not exists (
        select 1
        from {{ ref('int_order_lines_unioned') }} as current_lines
        where current_lines.channel = stored.channel
            and current_lines.order_id = stored.order_id
            and current_lines.order_line_id = stored.order_line_id
    )

    union

    {{ orders_in_partition_window() }}
    {%- else -%}
    -- every stored order (a changed seed or model file): the whole table is rebuilt
    select distinct channel, order_id from {{ this }}
    {%- endif %}

),

{% endif -%}

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

    {% if plan.changes_only -%}
    where (channel, order_id) in (select (channel, order_id) from scopes)
    {%- endif %}

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
{% if is_incremental() %}
{{ scope_markers('scopes', ['channel', 'order_id']) }}
{% endif %}
