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
