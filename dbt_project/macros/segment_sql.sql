{#- Helpers of the segmentation models (models/ml/segment_*, customer_segments_sql). -#}

{#- A 64-bit floating point type: dbt.type_float() is 32-bit in DuckDB, too coarse for distances. -#}
{% macro segment_type_double() %}
    {{- return(adapter.dispatch('segment_type_double')()) -}}
{% endmacro %}

{% macro default__segment_type_double() %}double precision{% endmacro %}

{% macro spark__segment_type_double() %}double{% endmacro %}

{#- The columns segment_profiles summarises: the configured features plus the ones the naming
    rule and marketers read. -#}
{% macro segment_profile_columns() %}
    {%- set columns = ['recency_days', 'tenure_days', 'frequency', 'monetary', 'aov',
                       'distinct_categories', 'orders_per_month', 'spend_last_365d',
                       'return_rate', 'online_share'] -%}
    {%- for feature in var_identifiers('segment_features') -%}
        {%- if feature not in columns -%}{%- do columns.append(feature) -%}{%- endif -%}
    {%- endfor -%}
    {{- return(columns) -}}
{% endmacro %}
