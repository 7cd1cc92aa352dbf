-- One row per month, marketplace (`all` = every marketplace together) and KPI, long format:
-- every KPI of the monthly review recomputed from the daily marts' ADDITIVE columns. A ratio
-- is sum(numerator) / sum(denominator) over the month's daily rows (never an average of daily
-- ratios); an additive KPI is its sum (denominator NULL); `all` sums the numerators and the
-- denominators of the marketplaces. Amounts are already in the reporting currency.
-- Rows of a daily mart whose marketplace_id is `all` (support tickets of an unmapped brand)
-- count in the `all` total only. Coverage: the month's days between the first and the newest
-- day of the KPI's daily mart for that marketplace (days_covered); a month the history does
-- not fully cover (in progress, or the first month of history) is_partial_month.
-- kpi_catalogue.csv holds each KPI's domain, unit, direction and source streams.
{%- set window = var('scorecard_attribution_window_days') %}

{#- kpi, the daily CTE it is summed from, numerator, denominator (none: an additive KPI) -#}
{%- set kpi_parts = [
    ('gmv', 'sales_days', 'gmv', none),
    ('net_sales', 'sales_days', 'net_sales', none),
    ('orders_count', 'sales_days', 'orders_count', none),
    ('aov', 'sales_days', 'gmv', 'orders_count'),
    ('refund_rate', 'sales_days', 'refunded_orders_count', 'orders_count'),
    ('cancellation_rate', 'sales_days', 'cancelled_orders_count', 'placed_orders_count'),
    ('gross_margin', 'sales_days', 'gross_margin', none),
    ('margin_rate', 'sales_days', 'gross_margin', 'net_sales_with_cost'),
    ('cost_coverage_rate', 'sales_days', 'units_with_cost_count', 'units_count'),
    ('on_time_shipment_rate', 'fulfilment_days', 'shipped_on_time_count', 'shipped_orders_count'),
    ('late_shipment_rate', 'fulfilment_days', 'shipped_late_count', 'shipped_orders_count'),
    ('inventory_turnover_days', 'inventory_days', 'on_hand_units', 'units_sold'),
    ('inventory_turnover_days_cost', 'inventory_days', 'costed_on_hand_value', 'costed_cogs'),
    ('stock_out_rate', 'inventory_days', 'stock_out_sku_days', 'sku_days'),
    ('ad_spend', 'ads_days', 'cost', none),
    ('ad_sales', 'ads_days', 'attributed_sales', none),
    ('ctr', 'ads_days', 'clicks', 'impressions'),
    ('cpc', 'ads_days', 'cost', 'clicks'),
    ('cvr', 'ads_days', 'purchases', 'clicks'),
    ('acos', 'ads_days', 'cost', 'attributed_sales'),
    ('roas', 'ads_days', 'attributed_sales', 'cost'),
    ('tacos', 'ads_with_sales_days', 'cost', 'gmv'),
    ('out_of_stock_ad_spend_share', 'ads_days', 'out_of_stock_cost', 'cost_with_stock_known'),
    ('tickets_created_count', 'support_days', 'tickets_created_count', none),
    ('unanswered_ticket_rate', 'support_days', 'unanswered_tickets_count',
        'tickets_created_count'),
    ('first_response_minutes', 'support_days', 'first_response_minutes_sum',
        'answered_tickets_count'),
    ('first_response_business_minutes', 'support_days', 'first_response_business_minutes_sum',
        'answered_tickets_count'),
    ('first_resolution_minutes', 'support_days', 'first_resolution_minutes_sum',
        'solved_tickets_count'),
    ('first_resolution_business_minutes', 'support_days',
        'first_resolution_business_minutes_sum', 'solved_tickets_count'),
    ('full_resolution_minutes', 'support_days', 'full_resolution_minutes_sum',
        'solved_tickets_count'),
    ('full_resolution_business_minutes', 'support_days', 'full_resolution_business_minutes_sum',
        'solved_tickets_count'),
    ('reopen_rate', 'support_days', 'reopened_tickets_count', 'solved_tickets_count'),
    ('csat', 'support_days', 'good_ratings_count', 'rated_tickets_count'),
    ('contacts_per_100_orders', 'contact_days', '100 * tickets_created_count', 'orders_count'),
] %}

with

sales_days as (

    select
        marketplace_id,
        local_date,
        orders_count,
        placed_orders_count,
        cancelled_orders_count,
        refunded_orders_count,
        units_count,
        units_with_cost_count,
        gmv,
        net_sales,
        net_sales_with_cost,
        gross_margin,
        is_provisional,
        min(local_date) over (partition by marketplace_id) as history_first_date,
        max(local_date) over (partition by marketplace_id) as history_last_date

    from {{ ref('kpi_sales_daily') }}

),

fulfilment_days as (

    select
        marketplace_id,
        local_date,
        shipped_orders_count,
        shipped_on_time_count,
        shipped_late_count,
        is_provisional,
        min(local_date) over (partition by marketplace_id) as history_first_date,
        max(local_date) over (partition by marketplace_id) as history_last_date

    from {{ ref('kpi_fulfilment_daily') }}

),

-- one row per SKU and day: the month's sum of on-hand units over its sum of units sold is its
-- average on-hand / its average daily sales (the same days divide both); on a cost basis the
-- same over the SKU-days whose on-hand and sold units all have a landed cost
inventory_days as (

    select
        marketplace_id,
        local_date,
        on_hand_units,
        units_sold,
        case
            when unit_cost is not null and units_sold_without_cost = 0 then on_hand_value
        end as costed_on_hand_value,
        case when unit_cost is not null and units_sold_without_cost = 0 then cogs end
            as costed_cogs,
        case when is_stock_out then 1 else 0 end as stock_out_sku_days,
        1 as sku_days,
        is_provisional,
        min(local_date) over (partition by marketplace_id) as history_first_date,
        max(local_date) over (partition by marketplace_id) as history_last_date

    from {{ ref('kpi_inventory_daily') }}

),

ads_days as (

    select
        marketplace_id,
        local_date,
        impressions,
        clicks,
        purchases,
        cost,
        attributed_sales,
        -- out-of-stock spend is known on the days the advertised-product report covers
        out_of_stock_cost,
        case when out_of_stock_cost is not null then cost end as cost_with_stock_known,
        is_provisional,
        min(local_date) over (partition by marketplace_id) as history_first_date,
        max(local_date) over (partition by marketplace_id) as history_last_date

    from {{ ref('kpi_ads_daily') }}

    where attribution_window_days = {{ window }}

),

-- TACoS: the ad spend of a month against ALL sales of that marketplace's month (days without
-- ads included), for the marketplace-months that have ads rows
ads_with_sales_days as (

    select
        coalesce(ads_days.marketplace_id, sales_days.marketplace_id) as marketplace_id,
        coalesce(ads_days.local_date, sales_days.local_date) as local_date,
        coalesce(ads_days.cost, 0) as cost,
        coalesce(sales_days.gmv, 0) as gmv,
        coalesce(ads_days.is_provisional, false)
            or coalesce(sales_days.is_provisional, false) as is_provisional,
        min(ads_days.local_date) over (
            partition by coalesce(ads_days.marketplace_id, sales_days.marketplace_id)
        ) as history_first_date,
        max(ads_days.local_date) over (
            partition by coalesce(ads_days.marketplace_id, sales_days.marketplace_id)
        ) as history_last_date

    from ads_days

    full outer join sales_days
        on ads_days.marketplace_id = sales_days.marketplace_id
        and ads_days.local_date = sales_days.local_date

    qualify count(ads_days.local_date) over (
        partition by
            coalesce(ads_days.marketplace_id, sales_days.marketplace_id),
            date_trunc('month', coalesce(ads_days.local_date, sales_days.local_date))
    ) > 0

),

-- one help-desk export serves every brand: its history runs over the whole mart
support_days as (

    select
        marketplace_id,
        local_date,
        tickets_created_count,
        answered_tickets_count,
        unanswered_tickets_count,
        first_response_minutes_sum,
        first_response_business_minutes_sum,
        solved_tickets_count,
        first_resolution_minutes_sum,
        first_resolution_business_minutes_sum,
        full_resolution_minutes_sum,
        full_resolution_business_minutes_sum,
        reopened_tickets_count,
        rated_tickets_count,
        good_ratings_count,
        is_provisional,
        min(local_date) over () as history_first_date,
        max(local_date) over () as history_last_date

    from {{ ref('kpi_customer_service_daily') }}

),

-- contacts per 100 orders: the month's tickets over the month's orders (kpi_sales_daily) of
-- the marketplaces a help-desk brand answers for (seed support_brands), in the months the
-- support history reaches; tickets of unmapped brands count in `all` only. Covered like the
-- support history.
contact_days as (

    select
        marketplace_id,
        local_date,
        tickets_created_count,
        0 as orders_count,
        is_provisional,
        history_first_date,
        history_last_date

    from support_days

    union all

    select
        sales_days.marketplace_id,
        sales_days.local_date,
        0 as tickets_created_count,
        sales_days.orders_count,
        sales_days.is_provisional,
        support_history.history_first_date,
        support_history.history_last_date

    from sales_days

    cross join (
        select
            min(history_first_date) as history_first_date,
            max(history_last_date) as history_last_date

        from support_days
    ) as support_history

    where
        sales_days.marketplace_id in (select marketplace_id from {{ ref('support_brands') }})
        and date_trunc('month', sales_days.local_date)
        between date_trunc('month', support_history.history_first_date)
        and date_trunc('month', support_history.history_last_date)

),

marketplace_parts as (

    {% for kpi, days, numerator, denominator in kpi_parts %}
    select
        '{{ kpi }}' as kpi,
        cast(date_trunc('month', local_date) as date) as month,
        marketplace_id,
        cast(coalesce(sum({{ numerator }}), 0) as decimal(38, 6)) as numerator,
        {% if denominator is none -%}
        cast(null as decimal(38, 6)) as denominator,
        {%- else -%}
        cast(coalesce(sum({{ denominator }}), 0) as decimal(38, 6)) as denominator,
        {%- endif %}
        bool_or(is_provisional) as is_provisional,
        min(history_first_date) as history_first_date,
        max(history_last_date) as history_last_date

    from {{ days }}

    group by all

    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

all_marketplaces as (

    select
        kpi,
        month,
        'all' as marketplace_id,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        bool_or(is_provisional) as is_provisional,
        min(history_first_date) as history_first_date,
        max(history_last_date) as history_last_date

    from marketplace_parts

    group by kpi, month

),

-- net sales per head of the whole company (kpi_people_monthly's total row), covered like the
-- net sales it divides
people as (

    select
        'net_sales_per_head' as kpi,
        people.month,
        'all' as marketplace_id,
        cast(people.net_sales as decimal(38, 6)) as numerator,
        cast(people.headcount as decimal(38, 6)) as denominator,
        people.is_provisional,
        all_marketplaces.history_first_date,
        all_marketplaces.history_last_date

    from {{ ref('kpi_people_monthly') }} as people

    inner join all_marketplaces
        on people.month = all_marketplaces.month
        and all_marketplaces.kpi = 'net_sales'

    where people.team = 'all'

),

unioned as (

    select * from marketplace_parts where marketplace_id <> 'all'

    union all

    select * from all_marketplaces

    union all

    select * from people

),

catalogue as (

    select
        kpi,
        domain,
        unit,
        aggregation

    from {{ ref('kpi_catalogue') }}

),

covered as (

    select
        unioned.*,
        cast(day(last_day(unioned.month)) as integer) as days_in_month,
        greatest(unioned.month, unioned.history_first_date) as covered_from_date,
        least(last_day(unioned.month), unioned.history_last_date) as covered_through_date

    from unioned

),

final as (

    select
        covered.month,
        covered.marketplace_id,
        covered.kpi,
        catalogue.domain,
        case
            when catalogue.unit = 'money' then '{{ var("reporting_currency") }}'
            else catalogue.unit
        end as unit,
        catalogue.aggregation,
        case
            when covered.denominator is null then cast(covered.numerator as double)
            else {{ ratio('covered.numerator', 'covered.denominator') }}
        end as actual,
        covered.numerator,
        covered.denominator,
        covered.days_in_month,
        covered.covered_from_date,
        covered.covered_through_date,
        cast(date_diff('day', covered.covered_from_date, covered.covered_through_date) + 1
            as integer) as days_covered,
        date_diff('day', covered.covered_from_date, covered.covered_through_date) + 1
            < covered.days_in_month as is_partial_month,
        covered.is_provisional

    from covered

    left join catalogue
        on covered.kpi = catalogue.kpi

)

select * from final
