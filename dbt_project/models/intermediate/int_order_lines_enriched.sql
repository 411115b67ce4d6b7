-- One row per clean order line with its order's customer, date and status and its product's
-- category and brand; spend_amount is the line's net amount when the order is completed, else 0.

with

order_lines as (
    select * from {{ ref('stg_order_lines') }}
),

orders as (
    select * from {{ ref('stg_orders') }}
),

products as (
    select * from {{ ref('stg_products') }}
),

final as (
    select
        {{ dbt.concat(['order_lines.order_id', "'-'", dbt.cast('order_lines.line_number', dbt.type_string())]) }}
            as order_line_id,
        order_lines.order_id,
        order_lines.line_number,
        orders.customer_id,
        orders.order_date,
        orders.channel,
        orders.status,
        order_lines.product_id,
        coalesce(products.category, 'unknown') as category,
        products.brand,
        order_lines.quantity,
        order_lines.unit_price,
        order_lines.discount,
        order_lines.gross_amount,
        order_lines.net_amount,
        cast(
            case when orders.status = 'completed' then order_lines.net_amount else 0 end as decimal(18, 2)
        ) as spend_amount
    from order_lines
    left join orders
        on order_lines.order_id = orders.order_id
    left join products
        on order_lines.product_id = products.product_id
)

select * from final
