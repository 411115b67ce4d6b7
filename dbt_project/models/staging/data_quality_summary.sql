-- What cleaning did, per raw table: rows read from the raw file and the bucket each row fell in.
-- raw_rows is counted from the raw source itself, so the reconciliation test
-- (raw_rows = clean_rows + duplicates_removed + quarantined_rows + excluded_test_rows) checks that
-- no row was lost or counted twice.
{{ config(materialized='table') }}

{%- set tables = ['customers', 'products', 'orders', 'order_lines'] %}

with
{% for table in tables %}
    raw_{{ table }} as (
        select * from {{ source('raw', table) }}
    ),

    classified_{{ table }} as (
        select * from {{ ref('stg_' ~ table ~ '__classified') }}
    ),

{% endfor %}
raw_counts as (
    {%- for table in tables %}
        select
            '{{ table }}' as table_name,
            count(*) as raw_rows
        from raw_{{ table }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

bucket_counts as (
    {%- for table in tables %}
        select
            '{{ table }}' as table_name,
            sum(case when row_bucket = 'clean' then 1 else 0 end) as clean_rows,
            sum(case when row_bucket = 'duplicate' then 1 else 0 end) as duplicates_removed,
            sum(case when row_bucket = 'quarantined' then 1 else 0 end) as quarantined_rows,
            sum(case when row_bucket = 'excluded_test' then 1 else 0 end) as excluded_test_rows
        from classified_{{ table }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        raw_counts.table_name,
        cast(raw_counts.raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(coalesce(bucket_counts.clean_rows, 0) as {{ dbt.type_bigint() }}) as clean_rows,
        cast(
            coalesce(bucket_counts.duplicates_removed, 0) as {{ dbt.type_bigint() }}
        ) as duplicates_removed,
        cast(
            coalesce(bucket_counts.quarantined_rows, 0) as {{ dbt.type_bigint() }}
        ) as quarantined_rows,
        cast(
            coalesce(bucket_counts.excluded_test_rows, 0) as {{ dbt.type_bigint() }}
        ) as excluded_test_rows
    from raw_counts
    left join bucket_counts on raw_counts.table_name = bucket_counts.table_name
)

select * from final
