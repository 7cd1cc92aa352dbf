{#-
    Business minutes of the support schedule inside spans of time: a query giving, for every
    row of `spans` whose span is not empty, `key_column` and `business_minutes` (fractional:
    seconds / 60). Rows whose end is NULL or before their start give no row; callers coalesce
    to 0 where the span exists. Used for first replies and for resolutions, so every business
    time in the warehouse follows one rule.

    The rule: for every local day (var support_time_zone) from the span's start to its end,
    each interval of the seed support_schedule for that ISO weekday, unless the day is in the
    seed support_holidays, becomes two instants with timezone(zone, local timestamp), i.e.
    with the UTC offset in force on that day (DST safe); the overlaps of the span with those
    intervals are summed to the second.
-#}
{% macro support_business_minutes(spans, key_column, start_column, end_column) -%}
{%- set support_zone = "'" ~ var('support_time_zone') ~ "'" -%}
select
    span_days.{{ key_column }},
    sum(greatest(
        date_diff(
            'second',
            greatest(
                span_days.span_start_at,
                timezone(
                    {{ support_zone }}, span_days.local_day + to_minutes(schedule.start_minute)
                )
            ),
            least(
                span_days.span_end_at,
                timezone(
                    {{ support_zone }}, span_days.local_day + to_minutes(schedule.end_minute)
                )
            )
        ),
        0
    )) / 60.0 as business_minutes

from (

    select
        spans.{{ key_column }},
        spans.{{ start_column }} as span_start_at,
        spans.{{ end_column }} as span_end_at,
        cast(calendar.calendar_day as date) as local_day

    from {{ spans }} as spans,
        unnest(generate_series(
            {{ to_local_date('spans.' ~ start_column, support_zone) }},
            {{ to_local_date('spans.' ~ end_column, support_zone) }},
            interval 1 day
        )) as calendar (calendar_day)

) as span_days

inner join {{ ref('support_schedule') }} as schedule
    on isodow(span_days.local_day) = schedule.weekday

left join {{ ref('support_holidays') }} as holidays
    on span_days.local_day = holidays.holiday_date

where holidays.holiday_date is null

group by span_days.{{ key_column }}
{%- endmacro %}
