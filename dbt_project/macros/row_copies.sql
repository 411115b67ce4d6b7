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


{#-
    The versions of one key, latest updated_at first (ties broken by the raw values, so exact
    copies sit together): version_number, copy_rank, and any_version_<flag>, true when any version
    of the key has the flag. Each column ends with a comma except the last.
-#}
{% macro record_versions(key, raw_key, flag) -%}
    {%- set order_by = 'updated_at desc nulls last, ' ~ raw_key -%}
    row_number() over (partition by {{ key }} order by {{ order_by }}) as version_number,
    {{ exact_copy_rank(key, order_by) }} as copy_rank,
    max({{ flag }}) over (
        partition by {{ key }} order by {{ order_by }}
        rows between unbounded preceding and unbounded following
    ) as any_version_{{ flag }}
{%- endmacro %}
