-- Spend and completed orders in the horizon_days up to each cutoff (order_date in
-- (as_of_date - horizon_days, as_of_date]), per snapshot customer: the input of the
-- "repeat the last window" baseline, whatever the horizon (customer_feature_snapshots has fixed
-- 30/90/365-day windows).

with

snapshots as (
    select * from {{ ref('customer_feature_snapshots') }}
),

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

orders as (
    select * from {{ ref('int_order_totals') }}
),

windows as (
    select
        as_of_date,
        horizon_days,
        cast({{ dbt.dateadd('day', '-1 * horizon_days', 'as_of_date') }} as date) as window_start_date
    from cutoffs
),

window_activity as (
    select
        windows.as_of_date,
        orders.customer_id,
        sum(orders.spend_amount) as spend_last_horizon,
        sum(case when orders.status = 'completed' then 1 else 0 end) as orders_last_horizon
    from windows
    inner join orders
        on
            windows.window_start_date < orders.order_date
            and windows.as_of_date >= orders.order_date
    group by windows.as_of_date, orders.customer_id
),

final as (
    select
        snapshots.as_of_date,
        snapshots.customer_id,
        windows.horizon_days,
        cast(coalesce(window_activity.spend_last_horizon, 0) as decimal(18, 2)) as spend_last_horizon,
        cast(coalesce(window_activity.orders_last_horizon, 0) as bigint) as orders_last_horizon
    from snapshots
    inner join windows
        on snapshots.as_of_date = windows.as_of_date
    left join window_activity
        on
            snapshots.as_of_date = window_activity.as_of_date
            and snapshots.customer_id = window_activity.customer_id
)

select * from final
