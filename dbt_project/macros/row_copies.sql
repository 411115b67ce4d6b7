{#-
    The rank of a row among the rows of its key in the window order: rows that tie with an earlier
    row on every order column share the first one's rank. With an order that ends in every raw
    column, tied rows are exact copies, so a row repeats an earlier row exactly when its
    row_number() in the same window exceeds this rank (nulls compare equal). One sort serves both,
    where comparing each raw column with lag() cost a window function per column.
-#}
{% macro exact_copy_rank(partition_by, order_by) -%}
    rank() over (partition by {{ partition_by }} order by {{ order_by }})
{%- endmacro %}


{#-
    The raw_<column> text columns for the final select, kept only on rows that are not clean:
    the quarantine views and audits read them there; a clean row's cleaned columns carry its
    values, and writing every raw value twice was about a quarter of a classified table's cost.
    Each column ends with a comma, so other columns must follow.
-#}
{% macro raw_text_unless_clean(raw_columns_prefixed, bucket_column='row_bucket') -%}
    {%- for column in raw_columns_prefixed %}
        case when {{ bucket_column }} <> 'clean' then {{ column }} end as {{ column }},
    {%- endfor %}
{%- endmacro %}
