-- Adjusted Rand index between each run in segment_history and the run before it (by fit time),
-- over the customers both runs segmented: 1 = identical partitions, about 0 = no better than
-- chance. Computed from the contingency table (Hubert and Arabie, 1985), as scikit-learn does.

with

segment_history as (
    select * from {{ ref('segment_history') }}
),

runs as (
    select
        run_id,
        max(fitted_at) as fitted_at,
        max(as_of_date) as as_of_date
    from segment_history
    group by run_id
),

run_pairs as (
    select
        run_id,
        fitted_at,
        as_of_date,
        lag(run_id) over (order by fitted_at, run_id) as previous_run_id
    from runs
),

consecutive_runs as (
    select *
    from run_pairs
    where previous_run_id is not null
),

contingency as (
    select
        consecutive_runs.run_id,
        previous_assignments.segment_id as previous_segment_id,
        current_assignments.segment_id as current_segment_id,
        sum(
            case when previous_assignments.segment_name = current_assignments.segment_name then 1 else 0 end
        ) as same_name_customers,
        cast(count(*) as {{ type_double() }}) as pair_customers
    from consecutive_runs
    inner join segment_history as current_assignments
        on consecutive_runs.run_id = current_assignments.run_id
    inner join segment_history as previous_assignments
        on
            consecutive_runs.previous_run_id = previous_assignments.run_id
            and current_assignments.customer_id = previous_assignments.customer_id
    group by
        consecutive_runs.run_id,
        previous_assignments.segment_id,
        current_assignments.segment_id
),

cell_pairs as (
    select
        run_id,
        sum(pair_customers) as customers_in_both,
        sum(same_name_customers) as same_name_customers,
        sum(pair_customers * (pair_customers - 1) / 2) as sum_cell_pairs
    from contingency
    group by run_id
),

previous_segment_sizes as (
    select
        run_id,
        previous_segment_id,
        sum(pair_customers) as segment_customers
    from contingency
    group by run_id, previous_segment_id
),

current_segment_sizes as (
    select
        run_id,
        current_segment_id,
        sum(pair_customers) as segment_customers
    from contingency
    group by run_id, current_segment_id
),

previous_pairs as (
    select
        run_id,
        sum(segment_customers * (segment_customers - 1) / 2) as sum_previous_pairs
    from previous_segment_sizes
    group by run_id
),

current_pairs as (
    select
        run_id,
        sum(segment_customers * (segment_customers - 1) / 2) as sum_current_pairs
    from current_segment_sizes
    group by run_id
),

pair_counts as (
    select
        cell_pairs.run_id,
        cell_pairs.customers_in_both,
        cell_pairs.same_name_customers,
        cell_pairs.sum_cell_pairs,
        previous_pairs.sum_previous_pairs,
        current_pairs.sum_current_pairs,
        (
            previous_pairs.sum_previous_pairs * current_pairs.sum_current_pairs
            / nullif(cell_pairs.customers_in_both * (cell_pairs.customers_in_both - 1) / 2, 0)
        ) as expected_index
    from cell_pairs
    inner join previous_pairs on cell_pairs.run_id = previous_pairs.run_id
    inner join current_pairs on cell_pairs.run_id = current_pairs.run_id
),

final as (
    select
        consecutive_runs.previous_run_id,
        consecutive_runs.run_id,
        consecutive_runs.fitted_at,
        consecutive_runs.as_of_date,
        cast(pair_counts.customers_in_both as {{ dbt.type_bigint() }}) as customers_in_both,
        round(
            case
                when
                    (pair_counts.sum_previous_pairs + pair_counts.sum_current_pairs) / 2
                    = pair_counts.expected_index
                    then 1.0
                else
                    (pair_counts.sum_cell_pairs - pair_counts.expected_index)
                    / (
                        (pair_counts.sum_previous_pairs + pair_counts.sum_current_pairs) / 2
                        - pair_counts.expected_index
                    )
            end,
            6
        ) as adjusted_rand_index,
        pair_counts.same_name_customers / pair_counts.customers_in_both as share_same_segment_name
    from consecutive_runs
    inner join pair_counts on consecutive_runs.run_id = pair_counts.run_id
)

select * from final
