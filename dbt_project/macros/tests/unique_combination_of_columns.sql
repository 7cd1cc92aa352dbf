{#-
    A combined primary key: no two rows share the same values of `combination_of_columns`
    (NULLs compare equal here, so a NULL part does not hide a duplicate). Written here rather
    than taken from dbt_utils because the project installs no packages (`dbt deps` would need
    the internet).
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with keyed as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as row_count

    from {{ model }}

    group by all

),

final as (

    select * from keyed where row_count > 1

)

select * from final

{% endtest %}
