-- Every order's totals equal the sums of its lines (an order without clean lines has totals 0),
-- net = gross - discount, and spend is net for completed orders and 0 otherwise.

with

orders as (
    select * from {{ ref('fct_orders') }}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

line_sums as (
    select
        order_id,
        count(*) as line_count,
        sum(quantity) as items,
        sum(gross_amount) as gross_amount,
        sum(discount) as discount_amount,
        sum(net_amount) as net_amount,
        sum(spend_amount) as spend_amount
    from order_lines
    group by order_id
),

mismatches as (
    select
        orders.order_id,
        orders.status,
        orders.line_count,
        line_sums.line_count as lines_counted,
        orders.net_amount,
        line_sums.net_amount as lines_net_amount,
        orders.spend_amount,
        line_sums.spend_amount as lines_spend_amount
    from orders
    left join line_sums
        on orders.order_id = line_sums.order_id
    where
        orders.line_count != coalesce(line_sums.line_count, 0)
        or orders.items != coalesce(line_sums.items, 0)
        or orders.gross_amount != coalesce(line_sums.gross_amount, 0)
        or orders.discount_amount != coalesce(line_sums.discount_amount, 0)
        or orders.net_amount != coalesce(line_sums.net_amount, 0)
        or orders.spend_amount != coalesce(line_sums.spend_amount, 0)
        or orders.net_amount != orders.gross_amount - orders.discount_amount
        or orders.spend_amount != case when orders.status = 'completed' then orders.net_amount else 0 end
)

select * from mismatches
