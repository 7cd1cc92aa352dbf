-- One row per nightly FBA inventory snapshot, marketplace and seller SKU.
with

summaries as (

    select
        snapshot_date,
        marketplace_id,
        seller_sku,
        _record as record,
        _loaded_at

    from {{ source('amazon_sp', 'amazon_inventory_summaries') }}

),

final as (

    select
        snapshot_date,
        marketplace_id,
        seller_sku,
        record ->> 'asin' as asin,
        record ->> 'fnSku' as fn_sku,
        record ->> 'condition' as item_condition,
        try_cast(
            record -> 'inventoryDetails' ->> 'fulfillableQuantity' as integer
        ) as fulfillable_units,
        try_cast(record ->> 'totalQuantity' as integer) as total_units,
        try_cast(nullif(record ->> 'lastUpdatedTime', '') as timestamptz) as last_updated_at,
        _loaded_at as loaded_at

    from summaries

)

select * from final
