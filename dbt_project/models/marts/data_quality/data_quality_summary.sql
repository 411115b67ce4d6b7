-- What cleaning did, per raw table, from the rows read from the user's files to the clean rows.
-- rows_read comes from prepare's per-file accounting (own data) or is the raw file's own count
-- (demo extract, or a raw table prepare derived rather than copied); raw_rows is counted from the
-- raw table's base model (every raw row once). The reconciliation test checks both identities:
-- rows_read = clean_rows + duplicates_removed + quarantined_rows + excluded_test_rows, and
-- raw_rows = rows_read - duplicates_removed_in_prepare - quarantined_in_prepare.
{{ config(materialized='table') }}

{%- set tables = ['customers', 'products', 'orders', 'order_lines'] %}

{%- set models = cleaning_models() %}

with
{% for table in tables %}
    raw_{{ table }} as (
        select * from {{ ref('base_' ~ table) }}
    ),

    classified_{{ table }} as (
        select * from {{ ref(models[table].classified) }}
    ),

{% endfor %}
prepare_accounting as (
    select * from {{ ref('stg_prepare_accounting') }}
),

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

prepare_counts as (
    select
        raw_table as table_name,
        max(input_table) as input_table,
        sum(rows_read) as rows_read,
        sum(exact_duplicates_dropped) as duplicates_removed_in_prepare,
        sum(quarantined_rows) as quarantined_in_prepare
    from prepare_accounting
    group by raw_table
),

counts as (
    select
        raw_counts.table_name,
        prepare_counts.input_table,
        coalesce(prepare_counts.rows_read, raw_counts.raw_rows) as rows_read,
        raw_counts.raw_rows,
        coalesce(bucket_counts.clean_rows, 0) as clean_rows,
        coalesce(bucket_counts.duplicates_removed, 0) as staging_duplicates,
        coalesce(bucket_counts.quarantined_rows, 0) as staging_quarantined,
        coalesce(bucket_counts.excluded_test_rows, 0) as excluded_test_rows,
        coalesce(prepare_counts.duplicates_removed_in_prepare, 0) as duplicates_removed_in_prepare,
        coalesce(prepare_counts.quarantined_in_prepare, 0) as quarantined_in_prepare
    from raw_counts
    left join bucket_counts on raw_counts.table_name = bucket_counts.table_name
    left join prepare_counts on raw_counts.table_name = prepare_counts.table_name
),

final as (
    select
        table_name,
        input_table,
        cast(rows_read as {{ dbt.type_bigint() }}) as rows_read,
        cast(raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(clean_rows as {{ dbt.type_bigint() }}) as clean_rows,
        cast(
            duplicates_removed_in_prepare + staging_duplicates as {{ dbt.type_bigint() }}
        ) as duplicates_removed,
        cast(
            quarantined_in_prepare + staging_quarantined as {{ dbt.type_bigint() }}
        ) as quarantined_rows,
        cast(excluded_test_rows as {{ dbt.type_bigint() }}) as excluded_test_rows,
        cast(
            duplicates_removed_in_prepare as {{ dbt.type_bigint() }}
        ) as duplicates_removed_in_prepare,
        cast(quarantined_in_prepare as {{ dbt.type_bigint() }}) as quarantined_in_prepare
    from counts
)

select * from final
