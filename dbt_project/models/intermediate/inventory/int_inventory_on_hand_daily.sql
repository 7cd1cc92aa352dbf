-- One row per Amazon marketplace, seller SKU and day: sellable units on hand. History comes
-- from the inventory ledger (EndingWarehouseBalance of the SELLABLE disposition, its country
-- mapped to the marketplace); a nightly FBA summary snapshot (fulfillable quantity) overrides
-- the ledger for its date. Days between two observations carry the last one forward
-- (on_hand_source = 'carried_forward'), from a SKU's first observed day to the marketplace's
-- last observed day.
{{
    config(
        materialized="incremental",
        incremental_strategy="replace_scope",
        unique_key=["marketplace_id", "inventory_date"],
        post_hook=["{{ save_incremental_state() }}"],
    )
}}
{%- set plan = incremental_plan() %}
with

{% if is_incremental() -%}
-- an incremental run rebuilds, per marketplace, every day from the first day whose
-- observations changed (landed since the last build, gone from staging, or replayed) to the
-- last day stored or observed: a changed observation carries forward to every later day
scopes as (

    {% if plan.changes_only -%}
    select
        first_changes.marketplace_id,
        cast(calendar.calendar_day as date) as inventory_date

    from (
        select
            marketplace_id,
            min(changed_date) as first_changed_date

        from (
            select marketplace_id, ledger_date as changed_date
            from {{ ref('stg_amazon_sp__inventory_ledger') }}
            where disposition = 'SELLABLE' and marketplace_id is not null
                and {{ loaded_since('loaded_at', plan) }}

            union all

            select marketplace_id, snapshot_date as changed_date
            from {{ ref('stg_amazon_sp__inventory_summaries') }}
            where {{ loaded_since('loaded_at', plan) }}

            union all

            select stored.marketplace_id, stored.inventory_date as changed_date
            from {{ this }} as stored
            where (
                stored.on_hand_source = 'ledger'
                and not exists (
                    select 1
                    from {{ ref('stg_amazon_sp__inventory_ledger') }} as ledger
                    where ledger.disposition = 'SELLABLE'
                        and ledger.marketplace_id = stored.marketplace_id
                        and ledger.seller_sku = stored.seller_sku
                        and ledger.ledger_date = stored.inventory_date
                )
            ) or (
                stored.on_hand_source = 'snapshot'
                and not exists (
                    select 1
                    from {{ ref('stg_amazon_sp__inventory_summaries') }} as summaries
                    where summaries.fulfillable_units is not null
                        and summaries.marketplace_id = stored.marketplace_id
                        and summaries.seller_sku = stored.seller_sku
                        and summaries.snapshot_date = stored.inventory_date
                )
            ) or {{ in_partition_window('stored.inventory_date') }}
        ) as changes

        group by marketplace_id
    ) as first_changes,
        unnest(generate_series(
            first_changes.first_changed_date,
            greatest(
                first_changes.first_changed_date,
                (
                    select max(inventory_date) from {{ this }} as stored
                    where stored.marketplace_id = first_changes.marketplace_id
                ),
                (
                    select max(ledger_date)
                    from {{ ref('stg_amazon_sp__inventory_ledger') }} as ledger
                    where ledger.marketplace_id = first_changes.marketplace_id
                ),
                (
                    select max(snapshot_date)
                    from {{ ref('stg_amazon_sp__inventory_summaries') }} as summaries
                    where summaries.marketplace_id = first_changes.marketplace_id
                )
            ),
            interval 1 day
        )) as calendar (calendar_day)
    {%- else -%}
    -- every stored day (a changed seed or model file): the whole table is rebuilt
    select distinct marketplace_id, inventory_date from {{ this }}
    {%- endif %}

),

{% endif -%}

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

    {% if plan.changes_only -%}
    where (sku_bounds.marketplace_id, cast(calendar.calendar_day as date)) in (
        select (marketplace_id, inventory_date) from scopes
    )
    {%- endif %}

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
{% if is_incremental() %}
{{ scope_markers('scopes', ['marketplace_id', 'inventory_date']) }}
{% endif %}
