{#- Raw values are handled as text first: cleaning, whitespace, casts that give null. -#}

{#- The raw value as text, trimmed; an empty or blank value becomes null. -#}
{% macro clean_text(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- Runs of whitespace inside a value collapse to one space. -#}
{% macro collapse_whitespace(expression) -%}
    {{ return(adapter.dispatch('collapse_whitespace')(expression)) }}
{%- endmacro %}

{% macro default__collapse_whitespace(expression) -%}
    regexp_replace({{ expression }}, '\s+', ' ', 'g')
{%- endmacro %}

{#- Few values hold a run of whitespace, and matching costs DuckDB less than half of replacing,
    so only those values are rewritten.
    RE2's \s is [\t\n\f\r ]: the replace changes a value exactly when the match holds. -#}
{% macro duckdb__collapse_whitespace(expression) -%}
    case
        when regexp_matches({{ expression }}, '\s\s|[\t\n\f\r]')
            then {{ default__collapse_whitespace(expression) }}
        else {{ expression }}
    end
{%- endmacro %}

{% macro spark__collapse_whitespace(expression) -%}
    regexp_replace({{ expression }}, '\\s+', ' ')
{%- endmacro %}

{#- A cast that gives null instead of failing. dbt.safe_cast is a plain cast on DuckDB, so DuckDB
    uses try_cast; other adapters use dbt.safe_cast. -#}
{% macro try_cast_or_null(field, type) -%}
    {{ return(adapter.dispatch('try_cast_or_null')(field, type)) }}
{%- endmacro %}

{% macro default__try_cast_or_null(field, type) -%}
    {{ dbt.safe_cast(field, type) }}
{%- endmacro %}

{% macro duckdb__try_cast_or_null(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#- The raw columns of a source as text, each renamed raw_<column>: staging reads CSV (all text) and
    Parquet (typed) the same way from here on. `relation` qualifies the columns when the source is
    joined. -#}
{% macro raw_text_columns(raw_columns, relation=none) -%}
    {%- for column in raw_columns %}
        cast({{ relation ~ '.' if relation }}{{ column }} as {{ dbt.type_string() }}) as raw_{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The raw_<column> names of `raw_text_columns`, as a list. -#}
{% macro raw_column_names(raw_columns) -%}
    {%- set names = [] %}
    {%- for column in raw_columns %}{% do names.append('raw_' ~ column) %}{% endfor %}
    {{- return(names) }}
{%- endmacro %}
