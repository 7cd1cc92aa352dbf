-- One row per Amazon marketplace, seller SKU and day: sellable units on hand. History comes
-- from the inventory ledger (EndingWarehouseBalance of the SELLABLE disposition, its country
-- mapped to the marketplace); a nightly FBA summary snapshot (fulfillable quantity) overrides
-- the ledger for its date. Days between two observations carry the last one forward
-- (on_hand_source = 'carried_forward'), from a SKU's first observed day to the marketplace's
-- last observed day.
with

ledger as (

    select
        marketplace_id,
        seller_sku,
        ledger_date,
        ending_balance_units

    from {{ ref('stg_amazon_sp__inventory_ledger') }}

    where disposition = 'SELLABLE' and marketplace_id is not null

),

snapshots as (

    select
        marketplace_id,
        seller_sku,
        snapshot_date,
        fulfillable_units

    from {{ ref('stg_amazon_sp__inventory_summaries') }}

    where fulfillable_units is not null

),

ledger_observations as (

    select
        marketplace_id,
        seller_sku,
        ledger_date as inventory_date,
        ending_balance_units as on_hand_units,
        'ledger' as on_hand_source

    from ledger

),

snapshot_observations as (

    select
        marketplace_id,
        seller_sku,
        snapshot_date as inventory_date,
        fulfillable_units as on_hand_units,
        'snapshot' as on_hand_source

    from snapshots

),

unioned_observations as (

    select * from snapshot_observations

    union all

    select * from ledger_observations

),

observations as (

    select * from unioned_observations

    -- the snapshot wins over the ledger for the same day
    qualify row_number() over (
        partition by marketplace_id, seller_sku, inventory_date
        order by on_hand_source = 'snapshot' desc
    ) = 1

),

marketplace_last_days as (

    select
        marketplace_id,
        max(inventory_date) as last_date

    from observations

    group by marketplace_id

),

sku_first_days as (

    select
        marketplace_id,
        seller_sku,
        min(inventory_date) as first_date

    from observations

    group by marketplace_id, seller_sku

),

sku_bounds as (

    select
        sku_first_days.marketplace_id,
        sku_first_days.seller_sku,
        sku_first_days.first_date,
        marketplace_last_days.last_date

    from sku_first_days

    inner join marketplace_last_days
        on sku_first_days.marketplace_id = marketplace_last_days.marketplace_id

),

spine as (

    select
        sku_bounds.marketplace_id,
        sku_bounds.seller_sku,
        cast(calendar.calendar_day as date) as inventory_date

    from sku_bounds,
        unnest(generate_series(sku_bounds.first_date, sku_bounds.last_date, interval 1 day))
            as calendar (calendar_day)

),

filled as (

    select
        spine.marketplace_id,
        spine.seller_sku,
        spine.inventory_date,
        observations.on_hand_units,
        case
            when observations.inventory_date = spine.inventory_date
                then observations.on_hand_source
            else 'carried_forward'
        end as on_hand_source,
        observations.inventory_date as observed_date

    from spine

    asof left join observations
        on spine.marketplace_id = observations.marketplace_id
        and spine.seller_sku = observations.seller_sku
        and spine.inventory_date >= observations.inventory_date

),

final as (

    select
        marketplace_id,
        seller_sku,
        inventory_date,
        on_hand_units,
        on_hand_source,
        observed_date

    from filled

)

select * from final
