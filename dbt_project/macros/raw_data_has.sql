{#- Bring your own data: whether the raw data carry an optional input (var available_data, set by
    models_py.byod from the user's config; everything true for the demo data). Models use it to
    leave out or null a feature whose input is absent instead of quarantining rows for it. -#}
{% macro raw_data_has(input_name) -%}
    {%- set available = var('available_data', {}) -%}
    {{ return(available.get(input_name, true) if available is mapping else true) }}
{%- endmacro %}
