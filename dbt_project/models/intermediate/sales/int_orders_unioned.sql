-- One row per order of every channel in one shape: status, flags, local date, ship-by time,
-- units and amounts (gross = sum of line gross; discounts = Amazon line promotions, Shopify's
-- order total_discounts, which also holds order-level codes), converted at the rate of the
-- order's local date.
-- depends_on: {{ ref('stg_amazon_sp__order_items') }}
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
-- an incremental run rebuilds whole orders: those landed since the last build, those converted
-- at a rate since restated, those whose lines no longer add up to the stored count (an item
-- gone), those that disappeared, and the replayed days
scopes as (

    {% if plan.changes_only -%}
    {{ orders_landed_since(plan) }}

    union

    {{ orders_with_stale_rates() }}

    union

    select stored.channel, stored.order_id
    from {{ this }} as stored
    left join (
        select order_id, count(*) as lines_count
        from {{ ref('int_order_lines_unioned') }}
        where channel = 'amazon'
        group by order_id
    ) as current_lines
        on stored.order_id = current_lines.order_id
    where stored.channel = 'amazon'
        and stored.lines_count <> coalesce(current_lines.lines_count, 0)

    union

    select stored.channel, stored.order_id
    from {{ this }} as stored
    where not exists (
        select 1
        from {{ ref('stg_amazon_sp__orders') }} as amazon_orders
        where stored.channel = 'amazon' and amazon_orders.amazon_order_id = stored.order_id
    )
    and not exists (
        select 1
        from {{ ref('stg_shopify__orders') }} as shopify_orders
        where stored.channel = 'shopify' and shopify_orders.order_id = stored.order_id
    )

    union

    {{ orders_in_partition_window() }}
    {%- else -%}
    -- every stored order (a changed seed or model file): the whole table is rebuilt
    select distinct channel, order_id from {{ this }}
    {%- endif %}

),

{% endif -%}

amazon_orders as (

    select
        amazon_order_id,
        marketplace_id,
        order_status,
        is_cancelled,
        purchased_at,
        purchase_local_date,
        purchase_utc_date,
        latest_ship_at,
        currency_code

    from {{ ref('stg_amazon_sp__orders') }}

    {% if plan.changes_only -%}
    where amazon_order_id in (select order_id from scopes where channel = 'amazon')
    {%- endif %}

),

shopify_orders as (

    select
        order_id,
        marketplace_id,
        fulfillment_status,
        is_cancelled,
        is_test,
        created_at,
        created_local_date,
        created_utc_date,
        currency_code,
        total_discounts_amount_local

    from {{ ref('stg_shopify__orders') }}

    {% if plan.changes_only -%}
    where order_id in (select order_id from scopes where channel = 'shopify')
    {%- endif %}

),

order_lines as (

    select
        channel,
        order_id,
        quantity,
        gross_amount_local,
        discount_amount_local

    from {{ ref('int_order_lines_unioned') }}

    {% if plan.changes_only -%}
    where (channel, order_id) in (select (channel, order_id) from scopes)
    {%- endif %}

),

fx_rates as (

    select
        currency_code,
        rate_date,
        rate

    from {{ ref('int_fx_rates_daily') }}

),

lines_summed as (

    select
        channel,
        order_id,
        count(*) as lines_count,
        sum(quantity) as units_count,
        sum(gross_amount_local) as gross_amount_local,
        sum(discount_amount_local) as line_discount_amount_local

    from order_lines

    group by channel, order_id

),

amazon as (

    select
        'amazon' as channel,
        amazon_orders.marketplace_id,
        amazon_orders.amazon_order_id as order_id,
        case amazon_orders.order_status
            when 'Pending' then 'pending'
            when 'Unshipped' then 'open'
            when 'PartiallyShipped' then 'open'
            when 'Shipped' then 'shipped'
            when 'Canceled' then 'cancelled'
            else 'other'
        end as order_status,
        amazon_orders.is_cancelled,
        false as is_test,
        amazon_orders.purchased_at as ordered_at,
        amazon_orders.purchase_local_date as order_local_date,
        amazon_orders.purchase_utc_date as order_utc_date,
        amazon_orders.latest_ship_at as ship_by_at,
        amazon_orders.currency_code,
        coalesce(lines_summed.lines_count, 0) as lines_count,
        coalesce(lines_summed.units_count, 0) as units_count,
        coalesce(lines_summed.gross_amount_local, 0) as gross_amount_local,
        coalesce(lines_summed.line_discount_amount_local, 0) as discount_amount_local

    from amazon_orders

    left join lines_summed
        on lines_summed.channel = 'amazon'
        and amazon_orders.amazon_order_id = lines_summed.order_id

),

shopify as (

    select
        'shopify' as channel,
        shopify_orders.marketplace_id,
        shopify_orders.order_id,
        case
            when shopify_orders.is_cancelled then 'cancelled'
            when shopify_orders.fulfillment_status = 'fulfilled' then 'shipped'
            else 'open'
        end as order_status,
        shopify_orders.is_cancelled,
        shopify_orders.is_test,
        shopify_orders.created_at as ordered_at,
        shopify_orders.created_local_date as order_local_date,
        shopify_orders.created_utc_date as order_utc_date,
        shopify_orders.created_at
        + to_hours(cast({{ var('shopify_handling_hours') }} as bigint)) as ship_by_at,
        shopify_orders.currency_code,
        coalesce(lines_summed.lines_count, 0) as lines_count,
        coalesce(lines_summed.units_count, 0) as units_count,
        coalesce(lines_summed.gross_amount_local, 0) as gross_amount_local,
        shopify_orders.total_discounts_amount_local as discount_amount_local

    from shopify_orders

    left join lines_summed
        on lines_summed.channel = 'shopify'
        and shopify_orders.order_id = lines_summed.order_id

),

unioned as (

    select * from amazon

    union all

    select * from shopify

),

converted as (

    select
        unioned.*,
        case
            when unioned.currency_code = '{{ var("reporting_currency") }}' then 1.0
            else fx_rates.rate
        end as fx_rate

    from unioned

    left join fx_rates
        on unioned.currency_code = fx_rates.currency_code
        and unioned.order_local_date = fx_rates.rate_date

),

final as (

    select
        channel,
        marketplace_id,
        order_id,
        order_status,
        is_cancelled,
        is_test,
        ordered_at,
        order_local_date,
        order_utc_date,
        ship_by_at,
        currency_code,
        lines_count,
        units_count,
        cast(gross_amount_local as decimal(18, 4)) as gross_amount_local,
        cast(discount_amount_local as decimal(18, 4)) as discount_amount_local,
        fx_rate,
        {{ to_reporting_currency('gross_amount_local', 'fx_rate') }} as gross_amount,
        {{ to_reporting_currency('discount_amount_local', 'fx_rate') }} as discount_amount

    from converted

)

select * from final
{% if is_incremental() %}
{{ scope_markers('scopes', ['channel', 'order_id']) }}
{% endif %}
