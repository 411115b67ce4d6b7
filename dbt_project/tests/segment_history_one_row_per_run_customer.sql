-- segment_history keeps one row per run and customer, and holds the current run in full.

with

segment_history as (
    select * from {{ ref('segment_history') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

duplicated_rows as (
    select
        run_id,
        customer_id,
        count(*) as history_rows
    from segment_history
    group by run_id, customer_id
    having count(*) > 1
),

missing_current_rows as (
    select
        customer_segments.run_id,
        customer_segments.customer_id,
        0 as history_rows
    from customer_segments
    left join segment_history
        on
            customer_segments.run_id = segment_history.run_id
            and customer_segments.customer_id = segment_history.customer_id
    where segment_history.customer_id is null
),

final as (
    select * from duplicated_rows
    union all
    select * from missing_current_rows
)

select * from final
