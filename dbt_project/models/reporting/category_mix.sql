-- Net revenue, orders, customers and items per product category over completed orders (lines of
-- cancelled and returned orders carry no spend and are left out).

with

order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

completed_lines as (
    select * from order_lines
    where status = 'completed'
),

lines_by_category as (
    select
        coalesce(category, 'unknown') as category,
        count(distinct order_id) as orders,
        count(distinct customer_id) as customers,
        sum(quantity) as items,
        sum(spend_amount) as net_revenue
    from completed_lines
    group by 1
),

final as (
    select
        {{ dbt.cast('category', dbt.type_string()) }} as category,
        cast(orders as bigint) as orders,
        cast(customers as bigint) as customers,
        cast(items as bigint) as items,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(
            net_revenue / nullif(sum(net_revenue) over (), 0) as double
        ) as revenue_share
    from lines_by_category
)

select * from final
