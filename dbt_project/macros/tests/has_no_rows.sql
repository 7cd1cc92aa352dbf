{#-
    The model holds no row: for a model that lists findings (e.g. tickets whose reply times
    differ from the platform's own), every row it holds is a failure.
-#}
{% test has_no_rows(model) %}

select * from {{ model }}

{% endtest %}
