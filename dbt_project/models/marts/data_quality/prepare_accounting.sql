-- Per input file of the user's own data: rows read, exact duplicates dropped and rows
-- quarantined while preparing, rows passed on to a raw table. Empty (same columns) when the raw
-- data did not come through prepare (var prepared_input false: the demo extract). Served.
with

staged as (
    select * from {{ ref('stg_prepare_accounting') }}
),

final as (
    select
        input_table,
        input_file,
        raw_table,
        rows_read,
        exact_duplicates_dropped,
        quarantined_rows,
        rows_passed_on
    from staged
)

select * from final
