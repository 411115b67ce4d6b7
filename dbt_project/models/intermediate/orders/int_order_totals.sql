-- One row per clean order with its totals summed from its lines (net of line discounts; returned
-- items on negative-quantity lines net the order) and the amount that counts as customer spend.
{{ config(materialized='table') }}

with

orders as (
    select * from {{ ref('int_orders') }}
),

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

line_totals as (
    select
        order_id,
        count(*) as line_count,
        sum(quantity) as items,
        sum(gross_amount) as gross_amount,
        sum(discount) as discount_amount,
        sum(net_amount) as net_amount
    from order_lines
    group by order_id
),

orders_with_totals as (
    select
        orders.order_id,
        orders.customer_id,
        orders.order_date,
        orders.ordered_at,
        orders.channel,
        orders.store,
        orders.status,
        coalesce(line_totals.line_count, 0) as line_count,
        coalesce(line_totals.items, 0) as items,
        coalesce(line_totals.gross_amount, 0) as gross_amount,
        coalesce(line_totals.discount_amount, 0) as discount_amount,
        coalesce(line_totals.net_amount, 0) as net_amount
    from orders
    left join line_totals
        on orders.order_id = line_totals.order_id
),

final as (
    select
        order_id,
        customer_id,
        order_date,
        ordered_at,
        channel,
        store,
        status,
        cast(line_count as bigint) as line_count,
        cast(items as bigint) as items,
        cast(gross_amount as decimal(18, 2)) as gross_amount,
        cast(discount_amount as decimal(18, 2)) as discount_amount,
        cast(net_amount as decimal(18, 2)) as net_amount,
        cast(case when status = 'completed' then net_amount else 0 end as decimal(18, 2)) as spend_amount
    from orders_with_totals
)

select * from final
