-- Rows of the user's own files that prepare left out, one reason each, so every row read is
-- queryable in the served file. Empty (same columns) when the raw data did not come through
-- prepare (var prepared_input false: the demo extract).
with

staged as (
    select * from {{ ref('stg_prepare_quarantine') }}
),

final as (
    select
        input_table,
        input_file,
        row_number,
        reason,
        raw_values
    from staged
)

select * from final
