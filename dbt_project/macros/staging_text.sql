{#- Text cleaning helpers for staging: every raw value is handled as text first. -#}

{#- The raw value as text, trimmed; an empty or blank value becomes null. -#}
{% macro staging_clean_text(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- Runs of whitespace inside a value collapse to one space. -#}
{% macro staging_collapse_whitespace(expression) -%}
    {{ return(adapter.dispatch('staging_collapse_whitespace')(expression)) }}
{%- endmacro %}

{% macro default__staging_collapse_whitespace(expression) -%}
    regexp_replace({{ expression }}, '\s+', ' ', 'g')
{%- endmacro %}

{% macro spark__staging_collapse_whitespace(expression) -%}
    regexp_replace({{ expression }}, '\\s+', ' ')
{%- endmacro %}

{#- Orders after this date are 'in the future': var max_valid_date if set, else the run date. -#}
{% macro staging_max_valid_date() -%}
    {%- if var('max_valid_date', none) -%}
        cast('{{ var("max_valid_date") }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}

{#- A cast that gives null instead of failing. dbt.safe_cast is a plain cast on DuckDB, so DuckDB
    uses try_cast; other adapters use dbt.safe_cast. -#}
{% macro staging_safe_cast(field, type) -%}
    {{ return(adapter.dispatch('staging_safe_cast')(field, type)) }}
{%- endmacro %}

{% macro default__staging_safe_cast(field, type) -%}
    {{ dbt.safe_cast(field, type) }}
{%- endmacro %}

{% macro duckdb__staging_safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
