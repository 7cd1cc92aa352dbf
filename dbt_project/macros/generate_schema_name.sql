{#-
    Schemas are exactly the name a folder configures (`staging`, `intermediate`, `marts`), not
    dbt's default `<target schema>_<custom schema>` (`main_marts`): analysts and the
    orchestration query `marts.kpi_sales_daily`, whatever the profile's own schema is.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
