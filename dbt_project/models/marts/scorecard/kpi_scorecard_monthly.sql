-- One row per target of the seed kpi_targets.csv whose month and marketplace have data in
-- kpi_monthly: the month's actual against its target, the variance, a direction-aware status,
-- the guardrail KPI beside it (every growth KPI has one: the target row's, else the
-- catalogue's default) and how late the KPI's data is (kpi_source_freshness).
-- Status: 'on track' when the actual meets the target in the KPI's direction ('higher' or
-- 'lower' is better); 'at risk' when it misses by at most var scorecard_at_risk_tolerance of
-- the target (0.1 = 10 %); 'off track' beyond; NULL without an actual. A month the data does
-- not fully cover (in progress, or the first month of history) is judged on target_to_date:
-- for a KPI that accumulates over the month (sums, and net sales per head) the target x
-- days_elapsed / days_in_month, for a ratio the target itself. days_elapsed runs from the
-- month's first day of data to the end of its newest day of data or, when that day is still
-- running, to the last load (as_of_at, in the zone of the KPI's lagging source): a run at
-- 02:00 does not expect a full day of sales from a day two hours old. variance and
-- variance_pct always compare with the full month's target.
{%- set tolerance = var('scorecard_at_risk_tolerance') %}
with

targets as (

    select
        month,
        marketplace_id,
        kpi,
        target,
        direction,
        guardrail_kpi

    from {{ ref('kpi_targets') }}

),

actuals as (

    select
        month,
        marketplace_id,
        kpi,
        actual,
        days_in_month,
        covered_from_date,
        covered_through_date,
        is_provisional

    from {{ ref('kpi_monthly') }}

),

catalogue as (

    select
        kpi,
        domain,
        unit,
        is_target_prorated,
        is_growth_kpi,
        default_guardrail_kpi

    from {{ ref('kpi_catalogue') }}

),

kpi_lags as (

    select
        kpi,
        marketplace_id,
        newest_event_date,
        data_lag_days,
        time_zone,
        as_of_at

    from {{ ref('kpi_source_freshness') }}

    where freshness_level = 'kpi'

),

active_months as (

    select distinct
        month,
        marketplace_id

    from actuals

),

-- the share of the month the actual covers: from its first day of data to the end of its
-- newest day of data, or to the last load while that day is still running (local time)
elapsed as (

    select
        actuals.month,
        actuals.marketplace_id,
        actuals.kpi,
        greatest(
            0.0,
            epoch(
                least(
                    cast(actuals.covered_through_date as timestamp) + interval 1 day,
                    coalesce(
                        timezone(coalesce(kpi_lags.time_zone, 'UTC'), kpi_lags.as_of_at),
                        cast(actuals.covered_through_date as timestamp) + interval 1 day
                    )
                ) - cast(actuals.covered_from_date as timestamp)
            ) / 86400.0
        ) as days_elapsed

    from actuals

    left join kpi_lags
        on actuals.kpi = kpi_lags.kpi
        and actuals.marketplace_id = kpi_lags.marketplace_id

),

judged as (

    select
        targets.month,
        targets.marketplace_id,
        targets.kpi,
        catalogue.domain,
        case
            when catalogue.unit = 'money' then '{{ var("reporting_currency") }}'
            else catalogue.unit
        end as unit,
        targets.direction,
        actuals.actual,
        targets.target,
        case
            when catalogue.is_target_prorated and elapsed.days_elapsed < actuals.days_in_month
                then targets.target * elapsed.days_elapsed / actuals.days_in_month
            else targets.target
        end as target_to_date,
        catalogue.is_growth_kpi,
        coalesce(targets.guardrail_kpi, catalogue.default_guardrail_kpi) as guardrail_kpi,
        actuals.days_in_month,
        elapsed.days_elapsed,
        elapsed.days_elapsed < actuals.days_in_month as is_partial_month,
        actuals.is_provisional

    from targets

    inner join active_months
        on targets.month = active_months.month
        and targets.marketplace_id = active_months.marketplace_id

    left join actuals
        on targets.month = actuals.month
        and targets.marketplace_id = actuals.marketplace_id
        and targets.kpi = actuals.kpi

    left join elapsed
        on targets.month = elapsed.month
        and targets.marketplace_id = elapsed.marketplace_id
        and targets.kpi = elapsed.kpi

    left join catalogue
        on targets.kpi = catalogue.kpi

),

statuses as (

    select
        *,
        case
            when actual is null or target_to_date is null then null
            when direction = 'higher' and actual >= target_to_date then 'on track'
            when direction = 'lower' and actual <= target_to_date then 'on track'
            when
                direction = 'higher'
                and actual >= target_to_date - {{ tolerance }} * abs(target_to_date)
                then 'at risk'
            when
                direction = 'lower'
                and actual <= target_to_date + {{ tolerance }} * abs(target_to_date)
                then 'at risk'
            else 'off track'
        end as status

    from judged

),

final as (

    select
        statuses.month,
        statuses.marketplace_id,
        statuses.kpi,
        statuses.domain,
        statuses.unit,
        statuses.direction,
        statuses.actual,
        statuses.target,
        statuses.actual - statuses.target as variance,
        {{ ratio('statuses.actual - statuses.target', 'abs(statuses.target)') }}
            as variance_pct,
        statuses.target_to_date,
        statuses.actual - statuses.target_to_date as variance_to_date,
        statuses.status,
        statuses.is_growth_kpi,
        statuses.guardrail_kpi,
        guardrail_actuals.actual as guardrail_actual,
        guardrails.target as guardrail_target,
        guardrails.status as guardrail_status,
        statuses.days_in_month,
        statuses.days_elapsed,
        statuses.is_partial_month,
        kpi_lags.newest_event_date as newest_data_date,
        kpi_lags.data_lag_days,
        coalesce(statuses.is_provisional, false) as is_provisional

    from statuses

    left join actuals as guardrail_actuals
        on statuses.month = guardrail_actuals.month
        and statuses.marketplace_id = guardrail_actuals.marketplace_id
        and statuses.guardrail_kpi = guardrail_actuals.kpi

    left join statuses as guardrails
        on statuses.month = guardrails.month
        and statuses.marketplace_id = guardrails.marketplace_id
        and statuses.guardrail_kpi = guardrails.kpi

    left join kpi_lags
        on statuses.kpi = kpi_lags.kpi
        and statuses.marketplace_id = kpi_lags.marketplace_id

)

select * from final
