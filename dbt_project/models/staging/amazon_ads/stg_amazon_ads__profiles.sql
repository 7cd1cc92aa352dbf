-- One row per Amazon Ads profile: the marketplace, currency and time zone of its reports.
with

profiles as (

    select
        profile_id,
        _record as record,
        _loaded_at

    from {{ source('amazon_ads', 'amazon_ads_profiles') }}

),

final as (

    select
        profile_id,
        record -> 'accountInfo' ->> 'marketplaceStringId' as marketplace_id,
        record ->> 'countryCode' as country_code,
        record ->> 'currencyCode' as currency_code,
        record ->> 'timezone' as time_zone,
        record -> 'accountInfo' ->> 'id' as account_id,
        record -> 'accountInfo' ->> 'type' as account_type,
        _loaded_at as loaded_at

    from profiles

)

select * from final
