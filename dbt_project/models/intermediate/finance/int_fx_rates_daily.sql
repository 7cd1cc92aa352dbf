-- One rate per currency and calendar day: units of the currency per one unit of the reporting
-- currency. ECB publishes working days only; a weekend or TARGET holiday carries the last
-- published rate forward (source_rate_date says which). Rates quoted against another base are
-- crossed through it; a rate quoted directly against the reporting currency is preferred.
-- The calendar runs from the first published day to the later of the last one and tomorrow
-- (UTC), so that today's orders in any zone find a rate.
with

quotes as (

    select
        base_currency,
        rate_date,
        currency_code,
        rate

    from {{ ref('stg_fx__rates') }}

),

quotes_with_base as (

    select
        base_currency,
        rate_date,
        currency_code,
        rate

    from quotes

    union all

    select distinct
        base_currency,
        rate_date,
        base_currency as currency_code,
        1.0 as rate

    from quotes

),

reporting_legs as (

    select
        base_currency,
        rate_date,
        rate as reporting_rate

    from quotes_with_base

    where currency_code = '{{ var("reporting_currency") }}'

),

crossed as (

    select
        quotes_with_base.currency_code,
        quotes_with_base.rate_date,
        quotes_with_base.base_currency,
        quotes_with_base.rate / reporting_legs.reporting_rate as rate

    from quotes_with_base

    inner join reporting_legs
        on quotes_with_base.base_currency = reporting_legs.base_currency
        and quotes_with_base.rate_date = reporting_legs.rate_date

    where quotes_with_base.currency_code <> '{{ var("reporting_currency") }}'

    qualify row_number() over (
        partition by quotes_with_base.currency_code, quotes_with_base.rate_date
        order by
            quotes_with_base.base_currency = '{{ var("reporting_currency") }}' desc,
            quotes_with_base.base_currency
    ) = 1

),

calendar as (

    select cast(calendar_day as date) as rate_date

    from (
        select
            min(rate_date) as first_date,
            greatest(max(rate_date), current_date + 1) as last_date

        from crossed
    ) as bounds,
        unnest(generate_series(bounds.first_date, bounds.last_date, interval 1 day))
            as days (calendar_day)

),

currency_days as (

    select
        currencies.currency_code,
        calendar.rate_date

    from (select distinct currency_code from crossed) as currencies

    cross join calendar

),

carried as (

    select
        currency_days.currency_code,
        currency_days.rate_date,
        crossed.rate,
        crossed.rate_date as source_rate_date,
        crossed.base_currency as source_base_currency

    from currency_days

    asof left join crossed
        on currency_days.currency_code = crossed.currency_code
        and currency_days.rate_date >= crossed.rate_date

),

reporting_currency_days as (

    select
        '{{ var("reporting_currency") }}' as currency_code,
        rate_date,
        1.0 as rate,
        rate_date as source_rate_date,
        '{{ var("reporting_currency") }}' as source_base_currency

    from calendar

),

unioned as (

    select * from carried

    union all

    select * from reporting_currency_days

),

final as (

    select
        currency_code,
        rate_date,
        rate,
        source_rate_date,
        source_base_currency,
        rate_date <> source_rate_date as is_carried_forward,
        date_diff('day', source_rate_date, rate_date) as rate_age_days

    from unioned

)

select * from final
