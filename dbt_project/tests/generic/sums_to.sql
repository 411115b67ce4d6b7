{#- Fails when the column's sum over the table differs from `total` (e.g. shares sum to 1). -#}
{% test sums_to(model, column_name, total, tolerance=0.000001) %}
    select sum({{ column_name }}) as column_total
    from {{ model }}
    having abs(sum({{ column_name }}) - {{ total }}) > {{ tolerance }}
{% endtest %}
