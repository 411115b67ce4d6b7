{#- An optional raw column as text: its value when the source has the column, else null, so raw
    files written before the column existed still build. `relation` is the source's CTE name. -#}
{% macro optional_raw_text(relation, column) -%}
    {{ return(adapter.dispatch('optional_raw_text')(relation, column)) }}
{%- endmacro %}

{#- Other engines need the column in the source (an empty column means no value). -#}
{% macro default__optional_raw_text(relation, column) -%}
    cast({{ relation }}.{{ column }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- DuckDB turns the row into JSON, where a missing key reads as null instead of a binder error. -#}
{% macro duckdb__optional_raw_text(relation, column) -%}
    json_extract_string(to_json({{ relation }}), '$.{{ column }}')
{%- endmacro %}

{#- Consent is given only by an explicit yes (true, yes, y, 1, opt-in, ...); anything else,
    an empty value included, means no consent. -#}
{% macro parse_consent(text_expression) -%}
    coalesce(
        lower({{ text_expression }}) in (
            'true', 't', 'yes', 'y', '1', 'opt-in', 'opt in', 'opted in', 'opted-in', 'consented'
        ),
        false
    )
{%- endmacro %}
