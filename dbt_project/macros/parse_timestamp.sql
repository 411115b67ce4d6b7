{#-
    Parse a text column that mixes the raw date formats into a timestamp; anything else gives null.
    Formats (docs/contracts.md): YYYY-MM-DD, YYYY-MM-DD HH:MM:SS, DD/MM/YYYY, DD/MM/YYYY HH:MM,
    YYYYMMDD. Adapter-specific parsing lives only here (dispatch), so another engine needs only
    one more implementation of this macro.
-#}
{% macro parse_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_timestamp')(column)) }}
{%- endmacro %}

{% macro default__parse_timestamp(column) -%}
    try_strptime(
        trim({{ column }}),
        ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d', '%d/%m/%Y %H:%M', '%d/%m/%Y', '%Y%m%d']
    )
{%- endmacro %}

{% macro spark__parse_timestamp(column) -%}
    coalesce(
        try_to_timestamp(trim({{ column }}), 'yyyy-MM-dd HH:mm:ss'),
        try_to_timestamp(trim({{ column }}), 'yyyy-MM-dd'),
        try_to_timestamp(trim({{ column }}), 'd/M/yyyy HH:mm'),
        try_to_timestamp(trim({{ column }}), 'd/M/yyyy'),
        try_to_timestamp(trim({{ column }}), 'yyyyMMdd')
    )
{%- endmacro %}
