-- Every row read lands in exactly one bucket. For each raw table: rows read (from the user's
-- files through prepare's accounting, or the raw file's count) = clean + duplicates removed +
-- quarantined + excluded test rows, prepare's and staging's together; and the raw rows (counted
-- from the raw file) = rows read less what prepare dropped, so prepare lost nothing either.
-- Also every table is present. Returns the tables where this fails.
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
        summary.rows_read,
        summary.raw_rows,
        summary.clean_rows,
        summary.duplicates_removed,
        summary.quarantined_rows,
        summary.excluded_test_rows,
        summary.duplicates_removed_in_prepare,
        summary.quarantined_in_prepare
    from expected_tables
    left join summary on expected_tables.table_name = summary.table_name
    where
        summary.table_name is null
        or summary.rows_read
        != summary.clean_rows
        + summary.duplicates_removed
        + summary.quarantined_rows
        + summary.excluded_test_rows
        or summary.raw_rows
        != summary.rows_read
        - summary.duplicates_removed_in_prepare
        - summary.quarantined_in_prepare
)

select * from final
