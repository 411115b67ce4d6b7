{#- Builds the calling model after `model_name` without reading it: two heavy models that would
    otherwise run side by side and share DuckDB's memory limit run one after the other. -#}
{% macro build_after(model_name) -%}
    {%- do ref(model_name) -%}
{%- endmacro %}
