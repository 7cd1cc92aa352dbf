-- One row per order line of every channel (Amazon order items, Shopify line items) in one
-- shape, with its order's marketplace, local date and flags, and the amounts converted to the
-- reporting currency at the rate of the order's local date.
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
-- at a rate since restated, those that lost a line or disappeared, and the replayed days
scopes as (

    {% if plan.changes_only -%}
    {{ orders_landed_since(plan) }}

    union

    {{ orders_with_stale_rates() }}

    union

    select stored.channel, stored.order_id
    from {{ this }} as stored
    where stored.channel = 'amazon'
        and not exists (
            select 1
            from {{ ref('stg_amazon_sp__order_items') }} as items
            where items.amazon_order_id = stored.order_id
                and items.order_item_id = stored.order_line_id
        )

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
        purchased_at,
        purchase_local_date,
        currency_code,
        is_cancelled

    from {{ ref('stg_amazon_sp__orders') }}

    {% if plan.changes_only -%}
    where amazon_order_id in (select order_id from scopes where channel = 'amazon')
    {%- endif %}

),

amazon_items as (

    select
        amazon_order_id,
        order_item_id,
        seller_sku,
        quantity_ordered,
        currency_code,
        item_price_amount_local,
        promotion_discount_amount_local

    from {{ ref('stg_amazon_sp__order_items') }}

    {% if plan.changes_only -%}
    where amazon_order_id in (select order_id from scopes where channel = 'amazon')
    {%- endif %}

    -- items are re-read whenever their order changes and carry that order version: an item
    -- missing from the latest read (removed from the order) is left out
    qualify order_last_updated_at = max(order_last_updated_at) over (
        partition by amazon_order_id
    )

),

shopify_orders as (

    select
        order_id,
        marketplace_id,
        created_at,
        created_local_date,
        currency_code,
        is_cancelled,
        is_test

    from {{ ref('stg_shopify__orders') }}

    {% if plan.changes_only -%}
    where order_id in (select order_id from scopes where channel = 'shopify')
    {%- endif %}

),

shopify_lines as (

    select
        order_id,
        order_line_id,
        sku,
        quantity,
        gross_amount_local,
        discount_amount_local

    from {{ ref('stg_shopify__order_lines') }}

    {% if plan.changes_only -%}
    where order_id in (select order_id from scopes where channel = 'shopify')
    {%- endif %}

),

fx_rates as (

    select
        currency_code,
        rate_date,
        rate

    from {{ ref('int_fx_rates_daily') }}

),

amazon_lines as (

    select
        'amazon' as channel,
        amazon_orders.marketplace_id,
        amazon_items.amazon_order_id as order_id,
        amazon_items.order_item_id as order_line_id,
        amazon_items.seller_sku as sku,
        amazon_items.quantity_ordered as quantity,
        coalesce(amazon_items.currency_code, amazon_orders.currency_code) as currency_code,
        coalesce(amazon_items.item_price_amount_local, 0) as gross_amount_local,
        coalesce(amazon_items.promotion_discount_amount_local, 0) as discount_amount_local,
        amazon_orders.purchased_at as ordered_at,
        amazon_orders.purchase_local_date as order_local_date,
        amazon_orders.is_cancelled,
        false as is_test

    from amazon_items

    inner join amazon_orders
        on amazon_items.amazon_order_id = amazon_orders.amazon_order_id

),

shopify_order_lines as (

    select
        'shopify' as channel,
        shopify_orders.marketplace_id,
        shopify_lines.order_id,
        shopify_lines.order_line_id,
        shopify_lines.sku,
        shopify_lines.quantity,
        shopify_orders.currency_code,
        coalesce(shopify_lines.gross_amount_local, 0) as gross_amount_local,
        shopify_lines.discount_amount_local,
        shopify_orders.created_at as ordered_at,
        shopify_orders.created_local_date as order_local_date,
        shopify_orders.is_cancelled,
        shopify_orders.is_test

    from shopify_lines

    inner join shopify_orders
        on shopify_lines.order_id = shopify_orders.order_id

),

unioned as (

    select * from amazon_lines

    union all

    select * from shopify_order_lines

),

converted as (

    select
        unioned.channel,
        unioned.marketplace_id,
        unioned.order_id,
        unioned.order_line_id,
        unioned.sku,
        unioned.quantity,
        unioned.currency_code,
        unioned.gross_amount_local,
        unioned.discount_amount_local,
        unioned.ordered_at,
        unioned.order_local_date,
        unioned.is_cancelled,
        unioned.is_test,
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
        order_line_id,
        sku,
        quantity,
        currency_code,
        gross_amount_local,
        discount_amount_local,
        fx_rate,
        {{ to_reporting_currency('gross_amount_local', 'fx_rate') }} as gross_amount,
        {{ to_reporting_currency('discount_amount_local', 'fx_rate') }} as discount_amount,
        ordered_at,
        order_local_date,
        is_cancelled,
        is_test

    from converted

)

select * from final
{% if is_incremental() %}
{{ scope_markers('scopes', ['channel', 'order_id']) }}
{% endif %}
