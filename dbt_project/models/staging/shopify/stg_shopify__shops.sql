-- One row per Shopify shop: the marketplace id, currency and IANA zone of its orders.
with

shops as (

    select
        shop_id,
        _record as record,
        _loaded_at

    from {{ source('shopify', 'shopify_shops') }}

),

final as (

    select
        shop_id,
        record ->> 'myshopify_domain' as shop_domain,
        'shopify:' || (record ->> 'myshopify_domain') as marketplace_id,
        record ->> 'name' as shop_name,
        record ->> 'currency' as currency_code,
        record ->> 'iana_timezone' as time_zone,
        record ->> 'country_code' as country_code,
        try_cast(record ->> 'updated_at' as timestamptz) as updated_at,
        _loaded_at as loaded_at

    from shops

)

select * from final
