-- One row per refunded item of an Amazon RefundEvent (Finances API): the event's
-- ShipmentItemAdjustmentList unnested, its ItemChargeAdjustmentList summed by charge type.
-- Amounts are turned positive (money returned to the buyer); Amazon sends them negative.
with

refund_events as (

    select
        event_hash,
        amazon_order_id,
        posted_at,
        _record as record,
        _loaded_at

    from {{ source('amazon_sp', 'amazon_refund_events') }}

),

marketplaces as (

    select
        marketplace_id,
        marketplace_name

    from {{ ref('marketplaces') }}

),

adjustment_items as (

    select
        refund_events.event_hash as refund_event_id,
        cast(adjustment_item.key as integer) as adjustment_item_index,
        refund_events.amazon_order_id,
        refund_events.posted_at,
        refund_events.record ->> 'MarketplaceName' as marketplace_name,
        refund_events.record ->> 'SellerOrderId' as seller_order_id,
        adjustment_item.value as item_record,
        refund_events._loaded_at

    from refund_events,
        json_each(refund_events.record, '$.ShipmentItemAdjustmentList') as adjustment_item

),

charges as (

    select
        adjustment_items.refund_event_id,
        adjustment_items.adjustment_item_index,
        charge.value ->> 'ChargeType' as charge_type,
        charge.value -> 'ChargeAmount' ->> 'CurrencyCode' as currency_code,
        {{ to_money("charge.value -> 'ChargeAmount' ->> 'CurrencyAmount'") }} as charge_amount

    from adjustment_items,
        json_each(adjustment_items.item_record, '$.ItemChargeAdjustmentList') as charge

),

charges_summed as (

    select
        refund_event_id,
        adjustment_item_index,
        min(currency_code) as currency_code,
        cast(
            -sum(charge_amount) filter (where charge_type = 'Principal') as decimal(18, 4)
        ) as principal_amount_local,
        cast(
            -sum(charge_amount) filter (where charge_type = 'Tax') as decimal(18, 4)
        ) as tax_amount_local,
        cast(
            -sum(charge_amount) filter (where charge_type not in ('Principal', 'Tax'))
            as decimal(18, 4)
        ) as other_charges_amount_local

    from charges

    group by refund_event_id, adjustment_item_index

),

final as (

    select
        adjustment_items.refund_event_id,
        adjustment_items.adjustment_item_index,
        adjustment_items.amazon_order_id,
        adjustment_items.seller_order_id,
        adjustment_items.posted_at,
        adjustment_items.marketplace_name,
        marketplaces.marketplace_id as marketplace_id_from_name,
        adjustment_items.item_record ->> 'SellerSKU' as seller_sku,
        adjustment_items.item_record ->> 'OrderAdjustmentItemId' as order_adjustment_item_id,
        coalesce(
            try_cast(adjustment_items.item_record ->> 'QuantityShipped' as integer), 0
        ) as quantity_refunded,
        charges_summed.currency_code,
        coalesce(charges_summed.principal_amount_local, 0) as principal_amount_local,
        coalesce(charges_summed.tax_amount_local, 0) as tax_amount_local,
        coalesce(charges_summed.other_charges_amount_local, 0) as other_charges_amount_local,
        adjustment_items._loaded_at as loaded_at

    from adjustment_items

    left join charges_summed
        on adjustment_items.refund_event_id = charges_summed.refund_event_id
        and adjustment_items.adjustment_item_index = charges_summed.adjustment_item_index

    left join marketplaces
        on adjustment_items.marketplace_name = marketplaces.marketplace_name

)

select * from final
