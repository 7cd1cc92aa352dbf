{#- Small SQL helpers shared by the models; each keeps one rule in one place. -#}

{#- A money amount as the warehouse stores it: DECIMAL(18,4) (JPY has no minor unit, so no
    amount is ever scaled by 100; a string such as "25.99" or "3000" is read as written). -#}
{% macro to_money(expression) -%}
    try_cast({{ expression }} as decimal(18, 4))
{%- endmacro %}

{#- The calendar date of a UTC instant in an IANA zone, with the offset in force at that
    instant (DST included). Independent of the session time zone. -#}
{% macro to_local_date(timestamp_expression, zone_expression) -%}
    cast(timezone({{ zone_expression }}, {{ timestamp_expression }}) as date)
{%- endmacro %}

{#- An amount in the reporting currency: the local amount divided by the rate (units of the
    local currency per one unit of the reporting currency), rounded to 4 places. -#}
{% macro to_reporting_currency(amount_expression, rate_expression) -%}
    cast({{ amount_expression }} / {{ rate_expression }} as decimal(18, 4))
{%- endmacro %}

{#- A ratio of two sums; a zero (or missing) denominator gives NULL, never 0 or infinity. -#}
{% macro ratio(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}
