{#-
    True when a row repeats the previous row of its window exactly (every listed column equal,
    nulls equal). With an order that ends in every raw column, exact copies sit next to each
    other, so the first row of a group of copies is false and the rest are true. All the window
    calls share one partition and order, so the engine sorts once for them and for row_number().
-#}
{% macro staging_repeats_previous_row(columns, partition_by, order_by) -%}
    (
        row_number() over (partition by {{ partition_by }} order by {{ order_by }}) > 1
        {%- for column in columns %}
        and lag({{ column }}) over (partition by {{ partition_by }} order by {{ order_by }})
        is not distinct from {{ column }}
        {%- endfor %}
    )
{%- endmacro %}

