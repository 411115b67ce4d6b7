{#- Generic tests for the reporting marts (no dbt_utils: the package hub is unreachable). -#}

{% test reporting_between(model, column_name, min_value, max_value) %}
    {#- Fails on every row whose value lies outside [min_value, max_value] (nulls pass). -#}
    select *
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}


{% test reporting_sums_to(model, column_name, total, tolerance=0.000001) %}
    {#- Fails when the column's sum over the table differs from `total` (e.g. shares sum to 1). -#}
    select sum({{ column_name }}) as column_total
    from {{ model }}
    having abs(sum({{ column_name }}) - {{ total }}) > {{ tolerance }}
{% endtest %}


{% test reporting_unique_combination(model, columns) %}
    {#- Fails on every combination of `columns` that occurs more than once. -#}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}


{% test reporting_not_null_where(model, column_name, condition) %}
    {#- Fails on every row that meets `condition` but has a null in the column. -#}
    select *
    from {{ model }}
    where ({{ condition }}) and {{ column_name }} is null
{% endtest %}
