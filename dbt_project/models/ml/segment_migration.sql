-- How many customers moved from which segment to which between the last two runs in
-- segment_history (by fit time). Customers present in only one run come from or go to
-- 'not segmented'. No rows until the history holds two runs.

with

segment_history as (
    select * from {{ ref('segment_history') }}
),

runs as (
    select
        run_id,
        max(fitted_at) as fitted_at
    from segment_history
    group by run_id
),

ranked_runs as (
    select
        run_id,
        row_number() over (order by fitted_at desc, run_id desc) as run_rank
    from runs
),

run_pair as (
    select
        previous_run.run_id as previous_run_id,
        current_run.run_id as current_run_id
    from ranked_runs as current_run
    inner join ranked_runs as previous_run
        on
            current_run.run_rank = 1
            and previous_run.run_rank = 2
),

previous_assignments as (
    select segment_history.*
    from segment_history
    inner join run_pair
        on segment_history.run_id = run_pair.previous_run_id
),

current_assignments as (
    select segment_history.*
    from segment_history
    inner join run_pair
        on segment_history.run_id = run_pair.current_run_id
),

moves as (
    select
        previous_assignments.segment_id as from_segment_id,
        coalesce(previous_assignments.segment_name, 'not segmented') as from_segment_name,
        current_assignments.segment_id as to_segment_id,
        coalesce(current_assignments.segment_name, 'not segmented') as to_segment_name,
        count(*) as customers
    from previous_assignments
    full outer join current_assignments
        on previous_assignments.customer_id = current_assignments.customer_id
    group by
        previous_assignments.segment_id,
        coalesce(previous_assignments.segment_name, 'not segmented'),
        current_assignments.segment_id,
        coalesce(current_assignments.segment_name, 'not segmented')
),

final as (
    select
        run_pair.previous_run_id,
        run_pair.current_run_id,
        moves.from_segment_id,
        moves.from_segment_name,
        moves.to_segment_id,
        moves.to_segment_name,
        moves.customers,
        cast(moves.customers as {{ type_double() }})
        / sum(moves.customers) over (partition by moves.from_segment_name) as share_of_from_segment
    from moves
    cross join run_pair
)

select * from final
