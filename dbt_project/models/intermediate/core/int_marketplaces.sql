-- One row per marketplace the marts report on: the Amazon marketplaces of the seed and every
-- Shopify store landed (marketplace_id `shopify:<myshopify domain>`).
with

amazon_marketplaces as (

    select
        marketplace_id,
        channel,
        country_code,
        currency_code,
        time_zone

    from {{ ref('marketplaces') }}

),

shopify_shops as (

    select
        marketplace_id,
        country_code,
        currency_code,
        time_zone

    from {{ ref('stg_shopify__shops') }}

),

unioned as (

    select
        marketplace_id,
        channel,
        country_code,
        currency_code,
        time_zone

    from amazon_marketplaces

    union all

    select
        marketplace_id,
        'shopify' as channel,
        country_code,
        currency_code,
        time_zone

    from shopify_shops

),

final as (

    select * from unioned

)

select * from final
