-- Every raw row lands in exactly one bucket: for each raw table, raw rows (counted from the raw
-- file) = clean + duplicates removed + quarantined + excluded test rows. Also every table is
-- present. Returns the tables where this fails.
with summary as (
    select * from {{ ref('data_quality_summary') }}
),

expected_tables as (
    select 'customers' as table_name
    union all
    select 'products' as table_name
    union all
    select 'orders' as table_name
    union all
    select 'order_lines' as table_name
),

final as (
    select
        expected_tables.table_name,
        summary.raw_rows,
        summary.clean_rows,
        summary.duplicates_removed,
        summary.quarantined_rows,
        summary.excluded_test_rows
    from expected_tables
    left join summary on expected_tables.table_name = summary.table_name
    where
        summary.table_name is null
        or summary.raw_rows
        != summary.clean_rows
        + summary.duplicates_removed
        + summary.quarantined_rows
        + summary.excluded_test_rows
)

select * from final
