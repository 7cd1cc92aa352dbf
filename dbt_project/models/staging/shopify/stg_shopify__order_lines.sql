-- One row per line item of a Shopify order (the order's line_items array unnested).
-- Gross is price x quantity; the line discount is the sum of its discount allocations
-- (Shopify's current field), else the older total_discount.
{{
    config(
        materialized="incremental",
        incremental_strategy="replace_scope",
        unique_key="order_id",
        post_hook=["{{ save_incremental_state() }}"],
    )
}}
{%- set plan = incremental_plan() %}
with

{% if is_incremental() -%}
-- an incremental run rebuilds the lines of whole orders: the orders landed since the last build
-- (a line removed from an order disappears with it) and the orders gone from raw
scopes as (

    {% if plan.changes_only -%}
    select order_id
    from {{ source('shopify', 'shopify_orders') }}
    where {{ loaded_since('_loaded_at', plan) }}

    union

    select stored.order_id
    from {{ this }} as stored
    where not exists (
        select 1
        from {{ source('shopify', 'shopify_orders') }} as landed
        where landed.order_id = stored.order_id
    )
    {%- else -%}
    -- every stored order (a changed model file): the whole table is rebuilt
    select distinct order_id from {{ this }}
    {%- endif %}

),

{% endif -%}

orders as (

    select
        order_id,
        _record as record

    from {{ source('shopify', 'shopify_orders') }}

    {% if plan.changes_only -%}
    where order_id in (select order_id from scopes)
    {%- endif %}

),

line_items as (

    select
        orders.order_id,
        orders.record ->> 'currency' as currency_code,
        cast(line_item.key as integer) as line_index,
        line_item.value as line_record

    from orders,
        json_each(orders.record, '$.line_items') as line_item

),

final as (

    select
        order_id,
        coalesce(line_record ->> 'id', 'index:' || line_index) as order_line_id,
        line_index,
        line_record ->> 'sku' as sku,
        line_record ->> 'product_id' as product_id,
        line_record ->> 'variant_id' as variant_id,
        line_record ->> 'title' as title,
        coalesce(try_cast(line_record ->> 'quantity' as integer), 0) as quantity,
        currency_code,
        {{ to_money("line_record ->> 'price'") }} as unit_price_amount_local,
        cast(
            {{ to_money("line_record ->> 'price'") }}
            * coalesce(try_cast(line_record ->> 'quantity' as integer), 0)
            as decimal(18, 4)
        ) as gross_amount_local,
        cast(coalesce(
            list_sum(list_transform(
                cast(line_record -> 'discount_allocations' as json[]),
                lambda allocation: {{ to_money("allocation ->> 'amount'") }}
            )),
            {{ to_money("line_record ->> 'total_discount'") }},
            0
        ) as decimal(18, 4)) as discount_amount_local

    from line_items

)

select * from final
{% if is_incremental() %}
{{ scope_markers('scopes', ['order_id']) }}
{% endif %}
