-- The base models hold every raw row exactly once: data_quality_summary counts raw_rows from
-- them, so a base model that dropped or repeated a raw row would hide it from the reconciliation.
-- Returns the tables whose base model and raw file disagree, with both counts.
{%- set tables = ['customers', 'products', 'orders', 'order_lines'] %}

with

{% for table in tables %}
    raw_{{ table }} as (
        select * from {{ source('raw', table) }}
    ),

    base_{{ table }} as (
        select * from {{ ref('base_' ~ table) }}
    ),

{% endfor %}
counts as (
    {%- for table in tables %}
        select
            '{{ table }}' as table_name,
            (select count(*) from raw_{{ table }}) as raw_file_rows,
            (select count(*) from base_{{ table }}) as base_model_rows
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select * from counts
    where raw_file_rows <> base_model_rows
)

select * from final
