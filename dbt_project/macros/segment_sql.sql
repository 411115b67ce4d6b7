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

{#- What marketing should do with a segment, from its name (see models_py/segmentation.py). -#}
{% macro segment_recommended_action(segment_name) %}
    case
        when {{ segment_name }} = 'New customers'
            then 'Welcome them: a second-purchase offer within 30 days and an invitation to join the loyalty programme.'
        when {{ segment_name }} = 'High-value'
            then 'Retain with loyalty perks: early access to sales, personal shopping, invite-only events; avoid blanket discounts.'
        when {{ segment_name }} = 'Frequent buyers'
            then 'Grow the basket: cross-sell categories they have not tried and offer a loyalty tier upgrade.'
        when {{ segment_name }} = 'At-risk'
            then 'Win back with a time-limited personal offer on their favourite category; stop after two unanswered contacts.'
        when {{ segment_name }} = 'Low-value'
            then 'Keep costs low: app and email nudges, bundles and festive-season offers; no paid media.'
        else 'Nurture: regular newsletters with seasonal offers; watch for movement to a higher or lower segment.'
    end
{% endmacro %}
