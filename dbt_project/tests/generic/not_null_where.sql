{#- Fails on every row that meets `condition` but has a null in the column. -#}
{% test not_null_where(model, column_name, condition) %}
    select *
    from {{ model }}
    where ({{ condition }}) and {{ column_name }} is null
{% endtest %}
