-- One row per base currency, ECB working day and quoted currency: units of the quoted
-- currency per one unit of the base (Frankfurter `rates` object unnested).
with

rate_days as (

    select
        base_currency,
        rate_date,
        _record as record,
        _loaded_at

    from {{ source('fx', 'fx_rates') }}

),

final as (

    select
        rate_days.base_currency,
        rate_days.rate_date,
        quote.key as currency_code,
        cast(quote.value as double) as rate,
        rate_days._loaded_at as loaded_at

    from rate_days,
        json_each(rate_days.record, '$.rates') as quote

)

select * from final
