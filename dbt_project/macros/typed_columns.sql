{#- The columns of a file prepare wrote, cast to their types, or the same columns with no rows
    when there is no such file (relation none): one column list for both cases. `columns` is a
    list of [source column, type (string, int or bigint), name]. -#}
{% macro select_typed_columns(columns, relation=none) -%}
    {%- set types = {
        'string': dbt.type_string(), 'int': dbt.type_int(), 'bigint': dbt.type_bigint()
    } -%}
    select
    {%- for source_column, type, name in columns %}
        cast({{ source_column if relation is not none else 'null' }} as {{ types[type] }})
            as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    {%- if relation is not none %}
    from {{ relation }}
    {%- else %}
    where 1 = 0
    {%- endif %}
{%- endmacro %}
