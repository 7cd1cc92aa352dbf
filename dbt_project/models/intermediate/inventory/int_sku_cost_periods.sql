-- One row per seller SKU and cost period, from the seed sku_costs (the seller's landed cost
-- per unit, in the currency it was paid in). A cost applies from its valid_from day up to the
-- day before the SKU's next valid_from (valid_until, exclusive; NULL = still valid). Days
-- before a SKU's first valid_from, and SKUs not in the seed, have no known cost.
with

costs as (

    select
        seller_sku,
        upper(currency_code) as currency_code,
        unit_cost as unit_cost_local,
        valid_from

    from {{ ref('sku_costs') }}

),

final as (

    select
        seller_sku,
        currency_code,
        unit_cost_local,
        valid_from,
        lead(valid_from) over (partition by seller_sku order by valid_from) as valid_until

    from costs

)

select * from final
