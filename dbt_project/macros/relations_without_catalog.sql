{#-
    ref() and source() without the catalog (database) part: views then name "raw"."x" rather
    than "warehouse"."raw"."x", and DuckDB resolves them in the file they live in. A copy of the
    warehouse under another file name, or a file attached under another alias (an analyst's
    read-only copy), keeps working views. Dependencies are still recorded by the built-ins.
-#}
{% macro ref() %}
    {% set relation = builtins.ref(*varargs, **kwargs) %}
    {% do return(relation.include(database=False)) %}
{% endmacro %}

{% macro source() %}
    {% set relation = builtins.source(*varargs, **kwargs) %}
    {% do return(relation.include(database=False)) %}
{% endmacro %}
