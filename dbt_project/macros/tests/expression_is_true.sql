{#-
    Every row satisfies a boolean SQL expression, e.g. an accounting identity
    (`net_sales = gmv - discounts - refunded_amount`). A row where the expression is NULL fails
    too: an identity that cannot be evaluated is a finding. Narrow the rows with dbt's own
    `config: {where: ...}`.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

with checked as (

    select
        *,
        ({{ expression }}) as is_true

    from {{ model }}

),

final as (

    select * from checked where is_true is distinct from true

)

select * from final

{% endtest %}
