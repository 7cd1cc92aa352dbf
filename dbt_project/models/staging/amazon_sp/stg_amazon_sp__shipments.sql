-- One row per shipped item of an FBA shipment (GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL):
-- the actual ship time that on-time shipment needs (getOrders carries none).
with

shipments as (

    select
        shipment_id,
        shipment_item_id,
        marketplace_id as requested_marketplace_id,
        _record as record,
        _loaded_at

    from {{ source('amazon_sp', 'amazon_shipments') }}

),

final as (

    select
        shipment_id,
        shipment_item_id,
        record ->> 'amazon-order-id' as amazon_order_id,
        record ->> 'amazon-order-item-id' as amazon_order_item_id,
        record ->> 'merchant-order-id' as merchant_order_id,
        try_cast(record ->> 'purchase-date' as timestamptz) as purchased_at,
        try_cast(record ->> 'shipment-date' as timestamptz) as shipped_at,
        try_cast(record ->> 'reporting-date' as timestamptz) as reported_at,
        record ->> 'sku' as seller_sku,
        coalesce(try_cast(record ->> 'quantity-shipped' as integer), 0) as quantity_shipped,
        record ->> 'currency' as currency_code,
        {{ to_money("record ->> 'item-price'") }} as item_price_amount_local,
        record ->> 'sales-channel' as sales_channel,
        record ->> 'fulfillment-channel' as fulfillment_channel,
        record ->> 'fulfillment-center-id' as fulfillment_center_id,
        record ->> 'carrier' as carrier,
        requested_marketplace_id,
        _loaded_at as loaded_at

    from shipments

)

select * from final
