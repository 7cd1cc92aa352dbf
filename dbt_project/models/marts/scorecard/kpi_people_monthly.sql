-- One row per month and team of the seed headcount.csv, plus one total row per month (team
-- `all`): the net sales of the team's scope (one marketplace, or `all` marketplaces summed) in
-- that month divided by the team's headcount. The total divides the net sales of all
-- marketplaces by the headcount of every team. Net sales are summed from kpi_sales_daily's
-- additive column (order-date view, reporting currency), never from daily ratios; a headcount
-- of 0 gives NULL. Only months with sales rows appear; a team whose marketplace has no sales
-- rows that month has NULL net sales (no data, not 0).
with

headcount as (

    select
        month,
        team,
        sales_marketplace_id,
        headcount

    from {{ ref('headcount') }}

),

sales_days as (

    select
        marketplace_id,
        cast(date_trunc('month', local_date) as date) as month,
        net_sales,
        is_provisional

    from {{ ref('kpi_sales_daily') }}

),

marketplace_months as (

    select
        month,
        marketplace_id,
        sum(net_sales) as net_sales,
        bool_or(is_provisional) as is_provisional

    from sales_days

    group by month, marketplace_id

),

scope_months as (

    select
        month,
        marketplace_id,
        net_sales,
        is_provisional

    from marketplace_months

    union all

    select
        month,
        'all' as marketplace_id,
        sum(net_sales) as net_sales,
        bool_or(is_provisional) as is_provisional

    from marketplace_months

    group by month

),

teams as (

    select
        month,
        team,
        sales_marketplace_id,
        headcount

    from headcount

    where month in (select month from scope_months)

),

totals as (

    select
        month,
        'all' as team,
        'all' as sales_marketplace_id,
        sum(headcount) as headcount

    from teams

    group by month

),

team_rows as (

    select * from teams

    union all

    select * from totals

),

final as (

    select
        team_rows.month,
        team_rows.team,
        team_rows.sales_marketplace_id,
        team_rows.headcount,
        cast(scope_months.net_sales as decimal(18, 4)) as net_sales,
        {{ ratio('scope_months.net_sales', 'team_rows.headcount') }} as net_sales_per_head,
        coalesce(scope_months.is_provisional, false) as is_provisional

    from team_rows

    left join scope_months
        on team_rows.month = scope_months.month
        and team_rows.sales_marketplace_id = scope_months.marketplace_id

)

select * from final
