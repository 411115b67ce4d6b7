-- Every order date should be a day of the time spine: MetricFlow's cumulative metrics and filled
-- gaps leave out days missing from it. A warning, not an error: plain metric queries still work.
{{ config(severity='warn') }}

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
