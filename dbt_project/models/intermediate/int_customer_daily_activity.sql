-- Customer-day activity: one row per customer and order date with the day's orders by status and
-- the day's spend. Features and labels aggregate these rows, never the raw orders again.
{{ config(materialized='table') }}

with

orders as (
    select * from {{ ref('int_order_totals') }}
),

final as (
    select
        customer_id,
        order_date,
        cast(count(*) as bigint) as orders_placed,
        cast(sum(case when status = 'completed' then 1 else 0 end) as bigint) as completed_orders,
        cast(sum(case when status = 'cancelled' then 1 else 0 end) as bigint) as cancelled_orders,
        cast(sum(case when status = 'returned' then 1 else 0 end) as bigint) as returned_orders,
        cast(
            sum(case when status = 'completed' and channel = 'online' then 1 else 0 end) as bigint
        ) as online_completed_orders,
        cast(
            sum(case when status = 'completed' then gross_amount else 0 end) as decimal(18, 2)
        ) as completed_gross_amount,
        cast(
            sum(case when status = 'completed' then discount_amount else 0 end) as decimal(18, 2)
        ) as completed_discount_amount,
        cast(sum(spend_amount) as decimal(18, 2)) as spend_amount
    from orders
    group by customer_id, order_date
)

select * from final
