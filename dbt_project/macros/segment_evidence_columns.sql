{#- The threshold columns of the seed segment_definitions: min_<metric> (the segment's metric is
    at least the value) and max_<metric> (at most). Empty while dbt parses (the seed's columns
    are read when the model runs). -#}
{% macro segment_threshold_columns() %}
    {%- set thresholds = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(ref('segment_definitions')) -%}
            {%- set name = column.name | lower -%}
            {%- if name[:4] in ['min_', 'max_'] -%}{%- do thresholds.append(name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(thresholds) -}}
{% endmacro %}

{#- The evidence metrics a segment's name rests on (models_py/segmentation/evidence.py): one per
    metric the seed has a threshold column for. -#}
{% macro segment_evidence_columns() %}
    {%- set metrics = [] -%}
    {%- for column in segment_threshold_columns() -%}
        {%- if column[4:] not in metrics -%}{%- do metrics.append(column[4:]) -%}{%- endif -%}
    {%- endfor -%}
    {{- return(metrics) -}}
{% endmacro %}
