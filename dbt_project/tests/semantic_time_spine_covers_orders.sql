-- Every order date must be a day of the time spine, or MetricFlow's time joins would drop it.

with

orders as (
    select * from {{ ref('fct_orders') }}
),

time_spine as (
    select * from {{ ref('metricflow_time_spine') }}
),

final as (
    select
        orders.order_id,
        orders.order_date
    from orders
    left join time_spine
        on orders.order_date = time_spine.date_day
    where time_spine.date_day is null
)

select * from final
