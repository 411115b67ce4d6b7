-- Net revenue per calendar month (completed orders, net of discounts and returned items), with
-- the highlighted months flagged (var festive_months, default Oct-Dec: Diwali and year-end;
-- an empty list flags none).
{%- set festive_months = festive_month_numbers() %}

with

orders as (
    select * from {{ ref('fct_orders') }}
),

orders_by_month as (
    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start,
        count(case when status = 'completed' then order_id end) as completed_orders,
        count(distinct case when status = 'completed' then customer_id end) as buying_customers,
        sum(spend_amount) as net_revenue
    from orders
    group by 1
),

final as (
    select
        month_start,
        cast(completed_orders as bigint) as completed_orders,
        cast(buying_customers as bigint) as buying_customers,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        {{ money_per('net_revenue', 'completed_orders') }} as avg_order_value,
        {% if festive_months -%}
            extract(month from month_start) in ({{ festive_months | join(', ') }})
        {%- else -%}
            false
        {%- endif %} as is_festive_month
    from orders_by_month
)

select * from final
